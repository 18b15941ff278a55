// The hunt's fast paths must never change an answer. Each one is checked against the plain path it replaces:
//  - projection (records read member by member, unread records never parsed) vs `--no-fast-path` (every record
//    parsed whole), on real content (the SigmaHQ regression corpus, the bundled sample trail, a generated trail)
//    and on inputs written to trip it (dotted keys, repeated keys, escaped keys, non-ASCII, damage);
//  - the regex required-literal check vs the regex alone;
//  - the splitter's grammar check vs JSON.parse, and its one-pass element scan vs its state machine;
//  - verdicts memoised per field value vs the same items evaluated afresh.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRuleTests } from '../src/detect/rule-tests.js';
import { AlertDedup } from '../src/detect/dedup.js';
import { requiredLiteral } from '../src/sigma/regex-literal.js';
import { JsonSplitter, type Members } from '../src/logs/scanner.js';
import { MemberNames, ProjectedRecord } from '../src/logs/projected.js';
import { Detector } from '../src/detect/engine.js';
import { loadRules, loadRulesFromText } from '../src/sigma/load.js';
import { compilePath, fieldReader, recordScope, VERDICT_ITEMS, type Json, type JsonObject } from '../src/sigma/fields.js';
import { compileFieldItem, type RuleValue } from '../src/sigma/values.js';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist/cli/main.js');
const SHARED = join(ROOT, '..', 'shared');
const SIGMAHQ = join(SHARED, 'sigma-aws-rules');
const BUNDLED = join(ROOT, 'content/rules');
const dir = mkdtempSync(join(tmpdir(), 'tideline-fast-'));

beforeAll(() => {
  spawnSync('npx', ['tsc', '-p', ROOT], { stdio: 'inherit' });
});

// A tiny seeded PRNG, so failures reproduce.
function prng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('requiredLiteral', () => {
  it.each([
    ['.+:assumed-role\\/aws:.+', ':assumed-role/aws:'],
    ['^arn:aws:iam::\\d+:user/', 'arn:aws:iam::'],
    ['abc(def|ghi)jklm', 'jklm'],
    ['colou?r-scheme', 'r-scheme'],
    ['ab*cdef', 'cdef'],
    ['x{0,3}yz1234', 'yz1234'],
    ['[abc]+\\.exe$', '.exe'],
  ])('%s requires %s', (re, lit) => expect(requiredLiteral(re)).toBe(lit));

  it.each(['foo|barbaz', 'a.b', '(abc)', '[xyz]{3}', 'ab?', '\\d{4}'])('%s requires nothing certain', (re) => {
    expect(requiredLiteral(re)).toBeUndefined();
  });

  it('is never wrong: every match of random regexes contains the literal', () => {
    const rand = prng(7);
    const atoms = ['a', 'b', 'c', 'ab', '\\.', '\\/', '.', '[ab]', '(a|bc)', '(?:ca)', '\\d', 'x', '-', '{', '\\w'];
    const quants = ['', '', '', '*', '+', '?', '{2}', '{0,2}', '{1,}', '*?'];
    const alphabet = 'abcx-./{1';
    let checked = 0;
    for (let n = 0; n < 3000; n++) {
      let src = '';
      const len = 2 + Math.floor(rand() * 8);
      for (let i = 0; i < len; i++) src += atoms[Math.floor(rand() * atoms.length)]! + quants[Math.floor(rand() * quants.length)]!;
      if (rand() < 0.1) src += '|' + atoms[Math.floor(rand() * atoms.length)];
      let re: RegExp;
      try {
        re = new RegExp(src);
      } catch {
        continue;
      }
      const lit = requiredLiteral(src, 1);
      if (lit === undefined) continue;
      for (let k = 0; k < 40; k++) {
        let text = '';
        const tl = Math.floor(rand() * 14);
        for (let i = 0; i < tl; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
        if (re.test(text)) {
          checked++;
          expect(text.includes(lit), `/${src}/ matched '${text}' without '${lit}'`).toBe(true);
        }
      }
    }
    expect(checked).toBeGreaterThan(500); // the property was exercised, not vacuously true
  });
});

/** The Records elements of a delivery file as the splitter hands them on. */
function split(text: string): { text: string; members?: { ok: boolean; keys: string[] } ; record?: JsonObject }[] {
  const out: { text: string; members?: { ok: boolean; keys: string[] }; record?: JsonObject }[] = [];
  const s = new JsonSplitter((buf, start, end, _kind, m?: Members) => {
    const entry: (typeof out)[number] = { text: buf.toString('utf8', start, end) };
    if (m) {
      const keys: string[] = [];
      for (let i = 0; i < m.count; i++) keys.push(buf.toString('latin1', start + m.keyStart[i]!, start + m.keyEnd[i]!));
      entry.members = { ok: m.ok, keys };
      if (m.ok) entry.record = new ProjectedRecord(new MemberNames()).reset(buf, start, end, m).loadAll();
    }
    out.push(entry);
  });
  s.push(Buffer.from(text));
  s.end();
  return out;
}

/**
 * Everything the splitter hands on, with every member offset, or the error it throws. Fed `chunk` bytes at a time:
 * a Records element that crosses a chunk boundary goes through the state machine, one that fits in its chunk through
 * the one-pass element scan (scanner.ts elementEnd), so a whole buffer and small chunks compare the two.
 */
function splitTrace(bytes: Buffer, chunk: number): string[] {
  const out: string[] = [];
  const s = new JsonSplitter((buf, start, end, kind, m?: Members) => {
    let line = `${kind} ${buf.toString('latin1', start, end)}`;
    if (m) {
      line += ` ok=${m.ok}`;
      for (let i = 0; i < m.count; i++) line += ` [${m.keyStart[i]},${m.keyEnd[i]},${m.valueStart[i]},${m.valueEnd[i]}]`;
    }
    out.push(line);
  });
  try {
    for (let o = 0; o < bytes.length; o += chunk) s.push(bytes.subarray(o, o + chunk));
    s.end();
  } catch (e) {
    out.push(`error ${(e as Error).message}`);
  }
  return out;
}

describe('splitter: one-pass element scan vs the state machine', () => {
  const gunzipped = (f: string) => gunzipSync(readFileSync(f));
  const trails = () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.json.gz') && !d.includes('Digest')) files.push(join(d, e.name));
      }
    };
    walk(join(ROOT, 'content/samples/cloudtrail'));
    return files.sort();
  };

  it('hands on the same elements, members and verdicts for the bundled sample trail', () => {
    let elements = 0;
    for (const f of trails()) {
      const bytes = gunzipped(f);
      const whole = splitTrace(bytes, bytes.length);
      expect(splitTrace(bytes, 7)).toEqual(whole);
      elements += whole.length;
    }
    expect(elements).toBeGreaterThan(1000);
  });

  it('and on damaged and oddly spaced copies of it (random edits), errors included', () => {
    const rand = prng(7);
    const bytes = gunzipped(trails()[0]!);
    const text = bytes.toString('latin1');
    // Edits that reach every branch: structure, quotes, escapes, whitespace, literals, numbers, nesting, truncation.
    const STRUCTURAL = '{}[],:"';
    const pieces = ['{', '}', '[', ']', ',', ':', '"', '\\', '\\"', ' ', '\n', '\t', '\r', '1', '-', '.', 'e', 'true', 'nul', '0', '{"a":[[{}]]}', ''];
    let differentVerdicts = 0;
    for (let trial = 0; trial < 600; trial++) {
      let t = text.slice(0, 4000 + Math.floor(rand() * 20000));
      const edits = 1 + Math.floor(rand() * 4);
      for (let e = 0; e < edits; e++) {
        let at = 12 + Math.floor(rand() * (t.length - 12));
        let cut = Math.floor(rand() * 3);
        let piece = pieces[Math.floor(rand() * pieces.length)]!;
        if (rand() < 0.5) {
          // Or one of {}[],: swapped for another character of the grammar (what a bad edit or a broken writer leaves).
          while (at < t.length && !'{}[],:'.includes(t[at]!)) at++;
          cut = 1;
          piece = STRUCTURAL[Math.floor(rand() * STRUCTURAL.length)]!;
        }
        t = t.slice(0, at) + piece + t.slice(at + cut);
      }
      const b = Buffer.from(t, 'latin1');
      const whole = splitTrace(b, b.length);
      expect(splitTrace(b, 5 + (trial % 11))).toEqual(whole);
      if (whole.some((l) => l.includes('ok=false'))) differentVerdicts++;
    }
    expect(differentVerdicts).toBeGreaterThan(20); // damage was met, not only clean records
  });

  it.each([
    '{"a":{"b":"v":"c":2}}', '{"a":["x":1]}', '{"a":[1,2}}', '{"a":{"b":1]}', '{"a":{"b":1,}}', '{"a":{"b"}}', '{"a":{,"b":1}}',
    '{"a":[,1]}', '{"a":"x" , "b" : [ 1 , { "c" : null } ] }', '{"a\\"b":1}', '{"a":"\\\\"}', '{"a":1.5e3x}',
    '{"a":' + '['.repeat(70) + ']'.repeat(70) + '}', '{"a":' + '['.repeat(20000) + ']'.repeat(20000) + '}', '{"a":{}}', '{}', '{"a":[]}', '{"a":1"b"}',
  ])('%.60s: the same as the state machine', (element) => {
    const b = Buffer.from(`{"Records":[{"x":1},${element},{"y":2}]}`);
    expect(splitTrace(b, 7)).toEqual(splitTrace(b, b.length));
  });
});

describe('splitter grammar check and members', () => {
  it('finds every top-level member, whatever the spacing', () => {
    const [r] = split('{"Records": [ { "a" : 1 , "b":{"c":[1,2,{"d":"}"}]}, "e" : "x\\"y" } ] }');
    expect(r!.members).toEqual({ ok: true, keys: ['a', 'b', 'e'] });
  });

  it.each([
    ['{"eventName":"X",,}', 'double comma'],
    ['{"eventName" "X"}', 'missing colon'],
    ['{"eventName":"X" "b":1}', 'missing comma'],
    ['{"a":tru}', 'bad literal'],
    ['{"a":01}', 'leading zero'],
    ['{"a":1.}', 'bad fraction'],
    ['{"a":[1,]}', 'trailing comma in array'],
    ['{"a":1,}', 'trailing comma in object'],
    ['{"a":{"b"}}', 'key without value'],
    ['{"a":-}', 'lone minus'],
    ['{"a":1e}', 'exponent without digits'],
    ['{"a":2.5E+}', 'signed exponent without digits'],
    ['{"a":.5}', 'fraction without integer part'],
    ['{"a":1 2}', 'two values'],
    ['{:1}', 'colon without key'],
  ])('%s (%s) is handed on as not ok, and JSON.parse agrees it is invalid', (bad) => {
    expect(() => JSON.parse(bad)).toThrow();
    const out = split(`{"Records":[{"ok":1},${bad},{"ok":2}]}`);
    expect(out.map((o) => o.members?.ok)).toEqual([true, false, true]);
  });

  it('valid records are ok, and what JSON.parse accepts is never refused', () => {
    const good = ['{}', '{"a":[]}', '{"a":{}}', '{"a":-0.5e+3,"b":true,"c":false,"d":null,"e":[[],{}]}', '{"a":"\\u00e9\\n"}', '{"a":1E5}'];
    const out = split(`{"Records":[${good.join(',')}]}`);
    expect(out.map((o) => o.members?.ok)).toEqual(good.map(() => true));
    expect(out.map((o) => o.record)).toEqual(good.map((g) => JSON.parse(g)));
  });

  it('a key holding an escape is not ok (its bytes would not spell it)', () => {
    expect(split('{"Records":[{"event\\u004eame":"StopLogging"}]}')[0]!.members!.ok).toBe(false);
  });
});

describe('ProjectedRecord', () => {
  it('loads only what is asked, the last of repeated keys, and literal dotted keys', () => {
    const names = new MemberNames();
    const ids = names.idsOf(['eventName', 'userIdentity.type', 'missing']);
    let got: ProjectedRecord | undefined;
    const s = new JsonSplitter((buf, start, end, _k, m) => {
      got = new ProjectedRecord(names).reset(buf, start, end, m!);
      got.load(ids);
    });
    s.push(Buffer.from('{"Records":[{"eventName":"A","eventName":"B","userIdentity.type":"Root","big":{"x":[1,2,3]}}]}'));
    expect(got!.rec).toEqual({ eventName: 'B', 'userIdentity.type': 'Root' });
  });

  it('reads only the nested keys the fields need', () => {
    const names = new MemberNames();
    const ids = names.fieldIds(['userIdentity.sessionContext.sessionIssuer.type', 'resources.ARN']);
    let got: ProjectedRecord | undefined;
    const s = new JsonSplitter((buf, start, end, _k, m) => {
      got = new ProjectedRecord(names).reset(buf, start, end, m!);
      got.load(ids);
    });
    const rec = {
      userIdentity: { type: 'AssumedRole', arn: 'x', sessionContext: { attributes: { mfa: 'false' }, sessionIssuer: { type: 'Role', arn: 'y' } } },
      resources: [{ ARN: 'a', type: 't' }, 'scalar', [{ ARN: 'b' }]],
    };
    s.push(Buffer.from(JSON.stringify({ Records: [rec] })));
    expect(got!.rec).toEqual({ userIdentity: { sessionContext: { sessionIssuer: { type: 'Role' } } }, resources: [{ ARN: 'a' }, 'scalar', [{ ARN: 'b' }]] });
  });

  /** The ProjectedRecord of each Records element of `records`, after `use` read it (the splitter reuses Members). */
  const projectEach = (names: MemberNames, records: JsonObject[], use: (p: ProjectedRecord) => void) =>
    new JsonSplitter((buf, start, end, _k, m) => use(new ProjectedRecord(names).reset(buf, start, end, m!))).push(Buffer.from(JSON.stringify({ Records: records })));

  it('one reused record reads every string value right, however many recur or collide in its string cache', () => {
    const names = new MemberNames();
    const ids = names.fieldIds(['eventName', 'userIdentity.arn']);
    // 20,000 distinct values of one length share a few thousand cache slots; some recur, as CloudTrail's do.
    const records = Array.from({ length: 20000 }, (_, i) => ({
      eventName: `Ev${String(i % 3 === 0 ? i % 50 : i).padStart(5, '0')}`,
      userIdentity: { arn: `arn:aws:iam::1:user/u${i % 7}` },
    }));
    const p = new ProjectedRecord(names);
    const got: JsonObject[] = [];
    new JsonSplitter((buf, start, end, _k, m) => {
      p.reset(buf, start, end, m!).load(ids);
      got.push(p.rec);
    }).push(Buffer.from(JSON.stringify({ Records: records })));
    expect(got).toEqual(records);
  });

  it('a member loaded for fewer keys than a later load asks is read again with every key', () => {
    const names = new MemberNames();
    const narrow = names.fieldReads(['requestParameters.bucketName']);
    const every = names.fieldIds(['requestParameters', 'requestParameters.bucketName']);
    const rec = { requestParameters: { bucketName: 'b', VersioningConfiguration: { Status: 'Suspended' } } };
    projectEach(names, [rec], (p) => {
      p.load(narrow.ids, narrow.shapes);
      expect(p.rec).toEqual({ requestParameters: { bucketName: 'b' } });
      p.load(narrow.ids, narrow.shapes); // the same reads again: nothing to do
      p.load(every);
      expect(p.rec).toEqual({ requestParameters: rec.requestParameters });
    });
  });

  it('a record loads of each member only what its candidate rules read', () => {
    // One rule reads requestParameters whole (as JSON text), the other one key of it, on another event: the second
    // event's records must not pay for the first rule's whole read, and both rules must still match as on JSON.parse.
    const set = loadRulesFromText(
      ['title: Versioning suspended\nid: 5d3c3c53-1d2b-4b5d-8a3e-000000000001\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName: PutBucketVersioning\n    requestParameters|contains: Suspended\n  condition: sel',
        'title: Bucket b read\nid: 5d3c3c53-1d2b-4b5d-8a3e-000000000002\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName: GetObject\n    requestParameters.bucketName: b\n  condition: sel'].join('\n---\n'),
    );
    expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const d = new Detector(set.rules);
    const records = [
      { eventName: 'GetObject', requestParameters: { bucketName: 'b', key: 'k', Status: 'Suspended' } },
      { eventName: 'PutBucketVersioning', requestParameters: { bucketName: 'b', VersioningConfiguration: { Status: 'Suspended' } } },
      { eventName: 'GetObject', requestParameters: { bucketName: 'c' } },
    ];
    const seen: { hits: string[]; rec: JsonObject }[] = [];
    projectEach(d.names, records, (p) => seen.push({ hits: d.matchProjected(p).map((r) => r.title), rec: p.rec }));
    expect(seen.map((x) => x.hits)).toEqual(records.map((r) => d.match(structuredClone(r)).map((x) => x.title)));
    expect(seen.map((x) => x.hits)).toEqual([['Bucket b read'], ['Versioning suspended'], []]);
    expect(seen[0]!.rec.requestParameters).toEqual({ bucketName: 'b' });
    expect(seen[1]!.rec.requestParameters).toEqual(records[1]!.requestParameters);
  });

  it('every field reads the same value from the projection as from JSON.parse (random records and paths)', () => {
    // Records built to trip the nested reader: literal dotted keys, repeated keys, escaped keys, arrays at any depth,
    // whitespace, empty containers, every scalar type, keys Object.prototype knows.
    const rand = prng(23);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const keys = ['a', 'b', 'c', 'a.b', 'b.c', 'a.b.c', 'constructor', '__proto__'];
    const scalar = () => pick(['"x"', '"a\\"b"', '"\\u00e9"', '"\\\\"', '"q\\\\\\"}\\\\"', '1', '-2.5e3', 'true', 'false', 'null', '""']);
    const ws = () => pick(['', '', '', ' ', '\n  ']);
    const value = (depth: number): string => {
      const r = rand();
      if (depth > 3 || r < 0.3) return scalar();
      const n = Math.floor(rand() * 4);
      if (r < 0.5) return `[${ws()}${Array.from({ length: n }, () => value(depth + 1)).join(`${ws()},${ws()}`)}${ws()}]`;
      const key = () => (rand() < 0.05 ? '"\\u0061"' : JSON.stringify(pick(keys)));
      return `{${ws()}${Array.from({ length: n }, () => `${key()}${ws()}:${ws()}${value(depth + 1)}`).join(`,${ws()}`)}${ws()}}`;
    };
    const fieldPool = ['a', 'a.b', 'a.b.c', 'a.b.c.a', 'b.a.c', 'c.constructor', 'a.__proto__.b', 'a.b.c.a.b'];
    let compared = 0;
    for (let n = 0; n < 2000; n++) {
      const fields = fieldPool.filter(() => rand() < 0.4);
      if (fields.length === 0) continue;
      const text = `{${['a', 'b', 'c', 'a.b'].filter(() => rand() < 0.8).map((k) => `"${k}":${value(0)}`).join(',')}}`;
      const names = new MemberNames();
      const ids = names.fieldIds(fields);
      let p: ProjectedRecord | undefined;
      new JsonSplitter((buf, start, end, _k, m) => {
        expect(m!.ok).toBe(true);
        p = new ProjectedRecord(names).reset(Buffer.from(buf.subarray(start, end)), 0, end - start, { ...m!, keyStart: [...m!.keyStart], keyEnd: [...m!.keyEnd], valueStart: [...m!.valueStart], valueEnd: [...m!.valueEnd] });
      }).push(Buffer.from(`{"Records":[${text}]}`));
      p!.load(ids);
      const whole = JSON.parse(text) as JsonObject;
      for (const f of fields) {
        const path = compilePath(f);
        expect(path(p!.rec), `${f} in ${text}`).toEqual(path(whole));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(2000);
  });
});

describe('verdicts memoised per field value', () => {
  // The same items on two fields holding the same value: one field has enough items to memoise its verdicts, the
  // other (a fresh name, few items) evaluates every time. Every answer must agree, through repeats, the numbering
  // starting over (more distinct values than it keeps), a field found too varied to number, and non-string values.
  const specs: [string[], (string | number | null)[]][] = [
    [[], ['Boto3/1.34.0', 'aws-cli/2.15.0']],
    [['contains'], ['kali', 'CURL']],
    [['startswith'], ['aws-cli/']],
    [['endswith'], ['.EXE', '/exec-env']],
    [['re'], ['^Mozilla/\\d']],
    [['re', 'i'], ['python-REQUESTS']],
    [['contains', 'all'], ['aws', 'cli']],
    [['neq'], ['Boto3/1.34.0']],
    [['contains', 'neq'], ['sdk']],
    [['cidr'], ['10.0.0.0/8']],
    [['cased'], ['Boto3/1.34.0']],
    [[], ['*/2.*', 'a?c']],
    [['contains'], [7]],
    [[], [null, 'none']],
  ];
  const tag = `${process.pid}${Date.now()}`;
  const compile = (field: string, [mods, vals]: [string[], (string | number | null)[]]) =>
    compileFieldItem(field, mods, vals.map((v): RuleValue => ({ value: v, text: String(v), pos: { line: 1, col: 1 } })), { line: 1, col: 1 }, {});
  const memo = specs.map((spec) => compile(`memoField${tag}`, spec));
  // The plain side spreads the items over fields of fewer than VERDICT_ITEMS items each: none of them memoises.
  const plainFields = specs.map((_, i) => `plainField${tag}-${Math.floor(i / (VERDICT_ITEMS - 1))}`);
  const plain = specs.map((spec, i) => compile(plainFields[i]!, spec));
  const pool = ['Boto3/1.34.0', 'aws-cli/2.15.0 Python/3.11', 'Mozilla/5.0', 'python-requests/2.31', 'curl/8.0', 'x.exe', 'AWS-SDK-GO', '10.1.2.3', '8.8.8.8', 'kali linux', 'abc', 'v/2.0', 'tool7', ''];
  const check = (values: (Json | undefined)[]) => {
    let compared = 0;
    for (const v of values) {
      const rec: JsonObject = {};
      if (v !== undefined) for (const f of [`memoField${tag}`, ...plainFields]) rec[f] = v;
      recordScope(() => {
        plain.forEach((p, i) => expect(memo[i]!.test(rec), `${JSON.stringify(v)} ${specs[i]![0].join('|')}`).toBe(p.test(rec)));
      });
      compared++;
    }
    return compared;
  };

  it('agree with fresh evaluation on repeated, rolled-over, too varied and non-string values', () => {
    expect(fieldReader(`memoField${tag}`).items).toBeGreaterThanOrEqual(VERDICT_ITEMS);
    for (const f of plainFields) expect(fieldReader(f).items).toBeLessThan(VERDICT_ITEMS);
    const rand = prng(11);
    const values: (Json | undefined)[] = [];
    for (let n = 0; n < 3000; n++) values.push(pool[Math.floor(rand() * pool.length)]!); // repeats: verdicts reused
    for (let n = 0; n < 9000; n++) values.push(n % 3 ? `agent-${n}` : pool[n % pool.length]!); // > 4096 distinct: numbering starts over
    values.push(7, 7.5, true, null, undefined, ['curl/1', 'x'], { a: 'kali' }, ['Boto3/1.34.0']); // not strings: never memoised
    check(values);
    const before = fieldReader(`memoField${tag}`).valueId({}, 'Boto3/1.34.0');
    expect(before).toBeGreaterThanOrEqual(0);
    // Mostly first sightings: the field is found too varied and its values are no longer numbered.
    const unique: string[] = [];
    for (let n = 0; n < 70000; n++) unique.push(n % 5 ? `unique-${n}-${Math.floor(rand() * 1e9)}` : pool[n % pool.length]!);
    check(unique);
    expect(fieldReader(`memoField${tag}`).valueId({}, 'Boto3/1.34.0')).toBe(-1);
    check(pool);
  });
});

describe('plans narrowed by a field value (engine.ts narrowed)', () => {
  // Many rules on the same calls, each watching some principal: the detector narrows a record's candidates by the
  // verdicts of their userIdentity.arn items. Every answer must stay each rule's own, whatever the value: recurring,
  // new in every record (the memo of values is dropped), not a string, absent, or held under a literal dotted key.
  const rand = prng(23);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const arns = Array.from({ length: 12 }, (_, i) => `arn:aws:sts::1111222233${i % 3}:assumed-role/${pick(['Admin', 'Ops', 'Ci'])}Role/${pick(['alice', 'bob', 'carol'])}${i}`);
  const arnItems = [
    `userIdentity.arn|contains: 'AdminRole/'`, `userIdentity.arn|startswith: 'arn:aws:sts::11112222331'`,
    `userIdentity.arn|endswith: ['alice3', 'bob7', 'carol1']`, `userIdentity.arn|re: ':assumed-role/(Ops|Ci)Role/'`,
    `userIdentity.arn: '${arns[4]}'`, `userIdentity.arn|contains|all: ['Role/', 'bob']`, `userIdentity.arn: null`,
    `userIdentity.arn|exists: false`, `userIdentity.arn|fieldref: userIdentity.principalId`, `userIdentity.arn|contains: ['alice', 'carol']`,
  ];
  const others = [`userAgent|startswith: 'aws-cli/'`, `sourceIPAddress|cidr: '10.0.0.0/8'`, `requestParameters.bucketName|endswith: '-logs'`];
  const rules = Array.from({ length: 90 }, (_, i) => {
    const api = `api:\n    eventName: ${pick(['GetObject', 'AssumeRole', '[GetObject, PutObject]'])}`;
    const who = `who:\n    ${pick(arnItems)}`;
    const what = `what:\n    ${pick(others)}`;
    const cond = pick(['api and who', 'api and who and what', 'api and not who', 'api and (who or what)', 'api and who and not what', 'api and 1 of w*']);
    const id = `7e1c0000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    return `title: Narrowed ${i}\nid: ${id}\nname: narrowed_${i}\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  ${api}\n  ${who}\n  ${what}\n  condition: ${cond}`;
  });
  // A meta-filter AND-ed into one of them: that rule keeps its whole test in every plan.
  rules.push('title: Not the break-glass role\nid: 7e1c0000-0000-4000-8000-999999999999\nlogsource: {product: aws, service: cloudtrail}\nfilter:\n  rules: [narrowed_3]\n  selection:\n    userIdentity.arn|contains: bob\n  condition: not selection');
  const set = loadRulesFromText(rules.join('\n---\n'));

  const record = (arn: Json | undefined, literal = false): JsonObject => {
    const rec: JsonObject = {
      eventName: pick(['GetObject', 'AssumeRole', 'PutObject', 'ListBuckets']),
      userAgent: pick(['aws-cli/2.15.0', 'Boto3/1.34.0']),
      sourceIPAddress: pick(['10.1.2.3', '203.0.113.9']),
      requestParameters: { bucketName: pick(['a-logs', 'b']) },
    };
    const identity: JsonObject = { type: 'AssumedRole', principalId: pick([...arns.slice(0, 2), 'AROA1']) };
    if (arn !== undefined) identity.arn = arn;
    rec.userIdentity = identity;
    if (literal) rec['userIdentity.arn'] = pick(arns); // a literal dotted key wins over the nested one
    return rec;
  };
  const records: JsonObject[] = [];
  for (let n = 0; n < 3000; n++) records.push(record(pick(arns))); // recurring: plans found per value
  for (let n = 0; n < 16000; n++) records.push(record(n % 4 ? `${pick(arns)}-${n}` : pick(arns))); // mostly new values: the memo is dropped
  for (const v of [null, 7, true, [arns[0]!, arns[4]!], { a: arns[0]! }, undefined, '']) for (let k = 0; k < 20; k++) records.push(record(v, k % 2 === 1));

  it('agree with every rule alone, on parsed and projected records', () => {
    expect(set.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
    expect(set.rules).toHaveLength(90);
    const want = records.map((rec) => set.rules.filter((r) => r.test(rec)).map((r) => r.id));
    const parsed = new Detector(set.rules);
    records.forEach((rec, n) => expect(parsed.match(rec).map((r) => r.id), JSON.stringify(rec)).toEqual(want[n]));
    const projected = new Detector(set.rules);
    const p = new ProjectedRecord(projected.names);
    let n = 0;
    new JsonSplitter((buf, start, end, _k, m) => {
      const rec = records[n]!;
      expect(projected.matchProjected(p.reset(buf, start, end, m!)).map((r) => r.id), JSON.stringify(rec)).toEqual(want[n++]);
    }).push(Buffer.from(JSON.stringify({ Records: records })));
    expect(n).toBe(records.length);
    // The narrowing did happen, into a few plans (one per combination of verdicts, not per value)...
    for (const d of [parsed, projected]) {
      expect(d.stats.narrowed).toBeGreaterThan(5);
      expect(d.stats.narrowed).toBeLessThan(500);
    }
    // ...and the rules fire, some of them, on some records.
    const fired = want.flat();
    expect(new Set(fired).size).toBeGreaterThan(30);
    expect(fired.length).toBeLessThan(records.length * 20);
  });
});

describe('plans narrowed by a field value, on the bench\'s rule variants and a generated trail', () => {
  // What the bench's rule-scaling rows run (600 variants of the SigmaHQ rules, some on calls the corpus is full of,
  // watching principals, tools, buckets and addresses), over a generated trail: the detector, with its index, plans
  // and narrowing, must find exactly the rules whose own test holds on each record parsed whole.
  it('every record meets exactly the variants that match it alone', async () => {
    const { writeVariants } = (await import(join(ROOT, 'bench/variants.mjs'))) as { writeVariants: (o: object) => { files: string[] } };
    const rulesDir = join(dir, 'variants');
    writeVariants({ outDir: rulesDir, count: 600, seed: 7, templatesDir: SIGMAHQ, vocabularyDirs: [BUNDLED], generatorFile: join(SHARED, 'tools', 'gen-cloudtrail.mjs') });
    const trail = join(dir, 'gen-variants');
    const g = spawnSync(process.execPath, [join(SHARED, 'tools', 'gen-cloudtrail.mjs'), trail, '12000', '3000', '9'], { encoding: 'utf8' });
    expect(g.status, g.stderr).toBe(0);
    const set = loadRules([rulesDir]);
    expect(set.rules).toHaveLength(600);
    const files = readdirSync(trail, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.json.gz'));
    const d = new Detector(set.rules);
    const p = new ProjectedRecord(d.names);
    let records = 0;
    let hits = 0;
    for (const f of files) {
      const bytes = gunzipSync(readFileSync(join(f.parentPath, f.name)));
      const parsed = (JSON.parse(bytes.toString('utf8')) as { Records: JsonObject[] }).Records;
      let n = 0;
      new JsonSplitter((buf, start, end, _k, m) => {
        const rec = parsed[n++]!;
        const want = set.rules.filter((r) => r.test(rec)).map((r) => r.id);
        expect(d.matchProjected(p.reset(buf, start, end, m!)).map((r) => r.id)).toEqual(want);
        hits += want.length;
      }).push(bytes);
      expect(n).toBe(parsed.length);
      records += n;
    }
    expect(records).toBe(12000);
    expect(hits).toBeGreaterThan(0);
    expect(d.stats.narrowed).toBeGreaterThan(10);
  });
});

describe('AlertDedup', () => {
  it('suppresses a repeat within the window, per rule, and forgets beyond two windows', () => {
    const d = new AlertDedup(4);
    expect(d.first(0, 'e1')).toBe(true);
    expect(d.first(0, 'e1')).toBe(false);
    expect(d.first(1, 'e1')).toBe(true); // another rule
    for (const id of ['e2', 'e3', 'e4', 'e5', 'e6']) d.first(0, id);
    expect(d.first(0, 'e1')).toBe(false); // still in the previous generation
    for (const id of ['e7', 'e8', 'e9', 'e10', 'e11', 'e12']) d.first(0, id);
    expect(d.first(0, 'e1')).toBe(true); // two windows later: forgotten, memory bounded
  });

  it.each([
    ['short ids', (n: number) => `evt-${n}`, 256],
    ['prefixes of each other', (n: number) => `e${n % 10}${'0'.repeat(n % 7)}`, 32],
    ['long and non-ASCII ids (the key buffer grows)', (n: number) => `é-${n}-`.repeat(1 + (n % 40)), 64],
  ])('answers as two generations of exact sets would, over many keys and repeats: %s', (_name, idOf, window) => {
    const rand = prng(3);
    const d = new AlertDedup(window);
    let cur = new Set<string>();
    let prev = new Set<string>();
    let repeats = 0;
    for (let n = 0; n < 20000; n++) {
      const rule = Math.floor(rand() * 3);
      const id = idOf(Math.floor(rand() * 600)); // small id space: many repeats, near and far
      const key = `${rule}/${id}`;
      const want = !cur.has(key) && !prev.has(key);
      if (want) {
        cur.add(key);
        if (cur.size >= window) (prev = cur), (cur = new Set());
      } else repeats++;
      expect(d.first(rule, id), `${n}: ${key}`).toBe(want);
    }
    expect(repeats).toBeGreaterThan(1000);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Differential: the CLI with and without the fast path, byte for byte.
// ---------------------------------------------------------------------------------------------------------------
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });

function huntBoth(inputs: string[], rules: string[], extra: string[] = []) {
  const base = ['hunt', ...rules.flatMap((r) => ['--rules', r]), ...extra, ...inputs];
  const fast = run(...base);
  const plain = run(...base, '--no-fast-path');
  return { fast, plain };
}

/** Extra rules that read records in every way the projection must honour. */
function writeTrickyRules(): string {
  const d = join(dir, 'tricky-rules');
  mkdirSync(d, { recursive: true });
  let n = 0;
  const rule = (name: string, detection: string) =>
    writeFileSync(join(d, `${name}.yml`), `title: Tricky ${name}\nid: 00000000-0000-4000-8000-${String(++n).padStart(12, '0')}\nstatus: test\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n${detection}\nlevel: medium\n`);
  rule('keyword', "  keywords:\n    - 'assumed-role/Admin'\n  condition: keywords");
  rule('fieldref', '  sel:\n    userIdentity.accountId|fieldref: recipientAccountId\n    eventName: ConsoleLogin\n  condition: sel');
  rule('dotted', "  sel:\n    userIdentity.type: Root\n  condition: sel");
  rule('regex', "  sel:\n    userAgent|re: '^aws-cli/2\\.\\d+'\n    eventSource: iam.amazonaws.com\n  condition: sel");
  rule('unindexed', "  sel:\n    requestParameters.bucketName|contains: logs\n  filter:\n    errorCode|exists: true\n  condition: sel and not filter");
  rule('nested-array', "  sel:\n    resources.ARN|endswith: ':trail/main'\n  condition: sel");
  rule('nulls', "  sel:\n    eventName: DeleteTrail\n    errorCode: null\n  condition: sel");
  rule('number', "  sel:\n    requestParameters.retentionInDays|lte: 7\n  condition: sel");
  rule('nested', "  sel:\n    userIdentity.sessionContext.sessionIssuer.type: Root\n  condition: sel");
  return d;
}

/** Records written to trip a member-by-member reader. */
function writeTrickyTrail(): string {
  const d = join(dir, 'tricky-trail');
  mkdirSync(d, { recursive: true });
  const base = (i: number, more: JsonObject = {}): JsonObject => ({
    eventVersion: '1.09',
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::111122223333:assumed-role/Admin/u${i}`, accountId: '111122223333', sessionContext: { sessionIssuer: { type: 'Role' } } },
    eventTime: `2026-11-0${1 + (i % 9)}T10:00:${String(i % 60).padStart(2, '0')}Z`,
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.9',
    userAgent: 'aws-cli/2.15.0 Python/3.11',
    recipientAccountId: '111122223333',
    eventID: `tricky-${i}`,
    ...more,
  });
  const records: string[] = [
    JSON.stringify(base(0)),
    // A key that literally contains dots wins over the nested path.
    JSON.stringify(base(1, { 'userIdentity.type': 'Root' })),
    // A repeated key: the last one counts, as in JSON.parse.
    JSON.stringify(base(2)).replace('"eventName":"StopLogging"', '"eventName":"DeleteTrail","eventName":"StopLogging"'),
    // An escaped key spells eventName: the fast path must hand it to the plain path.
    JSON.stringify(base(3)).replace('"eventName":', '"event\\u004eame":'),
    // Non-ASCII text.
    JSON.stringify(base(4, { userAgent: 'Mozilla/5.0 (Windows) — Édge', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' })),
    // Pretty-printed with whitespace everywhere.
    JSON.stringify(base(5, { eventName: 'DeleteTrail', resources: [{ ARN: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main' }] }), null, 2),
    JSON.stringify(base(6, { eventSource: 'iam.amazonaws.com', eventName: 'ConsoleLogin', userIdentity: { type: 'IAMUser', accountId: '111122223333' } })),
    JSON.stringify(base(7, { eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy', requestParameters: { bucketName: 'org-logs-1' } })),
    JSON.stringify(base(8, { eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy', requestParameters: { bucketName: 'org-logs-2' }, errorCode: 'AccessDenied' })),
    JSON.stringify(base(9, { eventSource: 'logs.amazonaws.com', eventName: 'PutRetentionPolicy', requestParameters: { retentionInDays: 1 } })),
    JSON.stringify(base(10, { eventName: 'DeleteTrail', errorCode: null })),
    JSON.stringify(base(11, { userAgent: 'aws-cli/2.4.1', eventSource: 'iam.amazonaws.com', eventName: 'ListUsers' })),
    // Nested keys: literal dotted, escaped (the member is parsed whole), repeated (the last counts).
    JSON.stringify(base(13, { userIdentity: { type: 'AssumedRole', 'sessionContext.sessionIssuer': { type: 'Root' } } })),
    JSON.stringify(base(14)).replace('"sessionIssuer":{"type":"Role"}', '"sessionIssuer":{"ty\\u0070e":"Root"}'),
    JSON.stringify(base(15)).replace('"sessionIssuer":{"type":"Role"}', '"sessionIssuer":{"type":"Root","arn":"x","type":"Role"}'),
    JSON.stringify(base(16)).replace('"sessionIssuer":{"type":"Role"}', '"sessionIssuer":{"type":"Role","type":"Root"}').replace('"type":"AssumedRole"', '"ty\\u0070e":"Root"'),
    // Damage: the grammar check must send these to the plain path, which reports them.
    '{"eventName":"StopLogging",,"eventID":"bad-1"}',
    '{"eventName":"StopLogging","readOnly":tru,"eventID":"bad-2"}',
    JSON.stringify(base(12)),
  ];
  writeFileSync(join(d, 'tricky.json'), `{"Records":[${records.join(',')}]}`);
  writeFileSync(join(d, 'tricky.json.gz'), gzipSync(`{"Records":[${records.slice(0, 12).join(',')}]}`));
  return d;
}

/** Every event of the SigmaHQ regression corpus (match and near-miss cases) as one delivery file. */
function writeSigmahqTrail(): string {
  const d = join(dir, 'sigmahq-trail');
  mkdirSync(d, { recursive: true });
  const fixtures = join(ROOT, 'test/fixtures/sigmahq');
  const events = readdirSync(fixtures).filter((f) => f.endsWith('.tests.yml')).sort().flatMap((f) => readRuleTests(join(fixtures, f)).cases.map((c) => c.event));
  writeFileSync(join(d, 'corpus.json'), JSON.stringify({ Records: events }));
  return d;
}

describe('fast path vs plain path (--no-fast-path): same alerts', () => {
  const rulesAll = () => [SIGMAHQ, BUNDLED, writeTrickyRules()];

  it('SigmaHQ regression corpus, every SigmaHQ and bundled rule plus tricky rules: jsonl identical', () => {
    const { fast, plain } = huntBoth([writeSigmahqTrail()], rulesAll(), ['--format', 'jsonl', '--workers', '1']);
    expect(fast.status, fast.stderr).toBe(0);
    expect(fast.stdout.split('\n').length).toBeGreaterThan(100);
    expect(fast.stdout).toBe(plain.stdout);
  });

  it('records written to trip the projection: same alerts, same errors, both formats', () => {
    const trail = writeTrickyTrail();
    for (const format of ['jsonl', 'csv']) {
      const { fast, plain } = huntBoth([trail], rulesAll(), ['--format', format, '--workers', '1']);
      expect(fast.status).toBe(2); // the two damaged records
      expect(fast.stdout).toBe(plain.stdout);
      const errs = (s: string) => s.split('\n').filter((l) => l.includes('error:')).sort();
      expect(errs(fast.stderr)).toEqual(errs(plain.stderr));
      expect(errs(fast.stderr)).toHaveLength(2);
    }
    // The tricky rules did fire (the test would be vacuous otherwise).
    const alerts = huntBoth([trail], rulesAll(), ['--format', 'jsonl']).fast.stdout;
    for (const t of ['keyword', 'fieldref', 'dotted', 'regex', 'unindexed', 'nested-array', 'nulls', 'number', 'nested']) expect(alerts).toContain(`Tricky ${t}`);
  });

  it('the bundled sample trail and a generated trail, 1 and 2 workers, with a time window', () => {
    const gen = join(dir, 'gen');
    const g = spawnSync(process.execPath, [join(SHARED, 'tools', 'gen-cloudtrail.mjs'), gen, '20000', '2000', '5'], { encoding: 'utf8' });
    expect(g.status, g.stderr).toBe(0);
    const inputs = [join(ROOT, 'content/samples/cloudtrail'), gen];
    const plain = run('hunt', '--rules', SIGMAHQ, '--rules', BUNDLED, '--format', 'jsonl', '--workers', '1', '--no-fast-path', ...inputs);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout.length).toBeGreaterThan(0);
    for (const workers of ['1', '2']) {
      const fast = run('hunt', '--rules', SIGMAHQ, '--rules', BUNDLED, '--format', 'jsonl', '--workers', workers, ...inputs);
      expect(fast.stdout).toBe(plain.stdout);
    }
    const windowed = ['--since', '2026-01-01T00:00:00Z', '--until', '2030-01-01T00:00:00Z'];
    const { fast, plain: p2 } = huntBoth(inputs, [SIGMAHQ, BUNDLED], ['--format', 'jsonl', ...windowed, '--stats', join(dir, 'stats.json')]);
    expect(fast.stdout).toBe(p2.stdout);
    const summary = (s: string) => s.split('\n').filter((l) => /outside|alerts by rule|^\s+\d+\s/.test(l)).join('\n');
    expect(summary(fast.stderr)).toBe(summary(p2.stderr));
  });
});

// Golden tests for the SIEM targets (Splunk SPL, Sentinel KQL, Elastic ES|QL and Lucene): every rule of SigmaHQ's AWS
// set and the bundled content, converted to every SIEM target, must equal test/golden/<target>/<rule file>.<ext>
// (a refused rule: `NOT CONVERTED (<construct>): <reason>`); per-rule warnings are in test/golden/<target>/_summary.json.
// Regenerate after a deliberate change with UPDATE_GOLDEN=1 and review the diff. Every Lucene output is parsed with
// the `lucene` query parser; every output's string literals are decoded and checked (injection tests below).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadRules, loadRulesFromText } from '../src/sigma/load.js';
import { convertRule, findTarget, type Conversion } from '../src/convert/index.js';
import { SIEM_EXT } from '../src/convert/siem/index.js';

const require = createRequire(import.meta.url);
const lucene = require('lucene') as { parse(q: string): unknown };

const SHARED = join(__dirname, '../../shared/sigma-aws-rules');
const BUNDLED = join(__dirname, '../content/rules');
const GOLDEN = join(__dirname, 'golden');
const UPDATE = !!process.env.UPDATE_GOLDEN;
const TARGETS = ['splunk', 'sentinel', 'elastic-esql', 'elastic-lucene'];

const sets = [loadRules([SHARED]), loadRules([BUNDLED])];
const rules = sets.flatMap((s) => s.rules.map((r) => ({ r, filters: s.filters })));

const golden = (c: Conversion) => (c.query !== undefined ? c.query + '\n' : `NOT CONVERTED (${c.construct}): ${c.error}\n`);

/** The string literals of a query (decoded) and the query with them blanked out, per language. */
export function literals(target: string, q: string): { strings: string[]; rest: string } {
  const strings: string[] = [];
  let rest = '';
  for (let i = 0; i < q.length; i++) {
    const c = q[i]!;
    const verbatim = target === 'sentinel' && c === '@' && q[i + 1] === '"';
    if (c === '"' || verbatim) {
      if (verbatim) i++;
      let s = '';
      for (i++; i < q.length; i++) {
        const d = q[i]!;
        if (verbatim) {
          if (d === '"' && q[i + 1] === '"') {
            s += '"';
            i++;
          } else if (d === '"') break;
          else s += d;
        } else if (d === '\\') {
          const n = q[++i]!;
          s += target === 'elastic-lucene' ? n : ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[n] ?? n;
        } else if (d === '"') break;
        else s += d;
      }
      strings.push(s);
      rest += '""';
    } else if (target === 'elastic-lucene' && c === '/' ) {
      // A regular expression term: up to the next unescaped '/'.
      let s = '';
      for (i++; i < q.length && q[i] !== '/'; i++) s += q[i] === '\\' ? q[i] + q[++i]! : q[i];
      strings.push(s);
      rest += '//';
    } else if (target === 'elastic-lucene' && c === '\\') {
      rest += 'X';
      i++;
    } else rest += c;
  }
  return { strings, rest };
}

function balanced(rest: string): boolean {
  let depth = 0;
  for (const c of rest) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

describe.each(TARGETS)('%s golden outputs', (target) => {
  const t = findTarget(target);
  const dir = join(GOLDEN, target);
  const convs = rules.map(({ r, filters }) => convertRule(r, t, filters));
  if (UPDATE) {
    mkdirSync(dir, { recursive: true });
    for (const c of convs) writeFileSync(join(dir, `${basename(c.file)}.${SIEM_EXT[target]}`), golden(c));
    const summary = convs.map((c) => ({ file: basename(c.file), id: c.id, converted: c.query !== undefined, warnings: c.warnings, construct: c.construct ?? null }));
    writeFileSync(join(dir, '_summary.json'), JSON.stringify(summary, null, 2) + '\n');
  }

  it('covers all 68 rules', () => {
    expect(rules.length).toBe(68);
  });

  it.each(convs.map((c) => [basename(c.file), c] as const))('%s', (file, c) => {
    const path = join(dir, `${file}.${SIEM_EXT[target]}`);
    expect(existsSync(path), `${path} (run with UPDATE_GOLDEN=1)`).toBe(true);
    expect(golden(c)).toBe(readFileSync(path, 'utf8'));
    if (c.query === undefined) {
      expect(c.construct).toBeTruthy();
      return;
    }
    const { rest } = literals(target, c.query);
    expect(balanced(rest), `unbalanced parentheses outside literals: ${rest}`).toBe(true);
    if (target === 'elastic-lucene') expect(() => lucene.parse(c.query!)).not.toThrow();
  });

  it('warnings match the summary', () => {
    const summary = JSON.parse(readFileSync(join(dir, '_summary.json'), 'utf8')) as { file: string; warnings: string[] }[];
    expect(summary.map((s) => s.warnings)).toEqual(convs.map((c) => c.warnings));
  });
});

// Values with quotes, backslashes, pipes, newlines and each language's keywords must come out as literals: decoding
// the query's string literals gives the values back, and nothing of them is left outside the literals.
const NASTY = [
  'a"b',
  'back\\slash',
  'pipe | delete index=*',
  'line1\nline2',
  '" OR eventName="*',
  "' or 1=1 --",
  '"; AWSCloudTrail | take 1 //',
  '`x` | DROP y',
  '\\" OR 1==1 OR \\"',
  'ends with backslash\\',
];

const injectionRules = NASTY.map(
  (v, i) => `title: injection ${i}
id: 00000000-0000-4000-8000-0000000001${String(i).padStart(2, '0')}
logsource: { product: aws, service: cloudtrail }
detection:
  sel: { eventName: ${JSON.stringify(v.replace(/\\/g, '\\\\'))} }
  condition: sel
`,
).join('---\n');

describe.each(TARGETS)('%s: rule values cannot inject', (target) => {
  const set = loadRulesFromText(injectionRules, 'injection.yml');
  it('all rules load', () => {
    expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(set.rules.length).toBe(NASTY.length);
  });
  it.each(set.rules.map((r, i) => [NASTY[i]!, r] as const))('%j', (value, rule) => {
    const c = convertRule(rule, findTarget(target), set.filters);
    expect(c.error, c.error).toBeUndefined();
    const literal = value.replace(/\*$/, '');
    if (target === 'elastic-lucene') {
      // Parsed by a real Lucene query parser: one field, and a term that decodes to the value.
      const fields: string[] = [];
      const terms: string[] = [];
      const walk = (n: Record<string, unknown> | undefined) => {
        if (!n) return;
        if (typeof n.field === 'string') fields.push(n.field);
        if (typeof n.term === 'string') terms.push(n.term.replace(/\\(.)/gs, '$1'));
        walk(n.left as Record<string, unknown>);
        walk(n.right as Record<string, unknown>);
      };
      walk(lucene.parse(c.query!) as Record<string, unknown>);
      expect(new Set(fields)).toEqual(new Set(['event.action']));
      expect(terms.some((t) => t.replace(/\*$/, '') === literal), `${c.query} -> ${JSON.stringify(terms)}`).toBe(true);
      return;
    }
    const { strings, rest } = literals(target, c.query!);
    const decoded = strings.join('\u0000');
    // The value is carried by the literals (as text, or as an escaped regular expression in Splunk's where mode).
    const plain = (s: string) => s.replace(/\\x\{([0-9a-f]+)\}/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/\\(.)/g, '$1');
    const asText = target === 'elastic-esql' ? literal.toLowerCase() : literal;
    expect(decoded.includes(asText) || plain(decoded).includes(asText), `${c.query}`).toBe(true);
    for (const word of ['delete', 'DROP', 'take', '1=1', '1==1', 'or 1', 'OR 1']) expect(rest.includes(word), `'${word}' outside literals in ${c.query}`).toBe(false);
    expect(balanced(rest), rest).toBe(true);
  });
});

/**
 * Microsoft Sentinel KQL over the `AWSCloudTrail` table (column names from data/pipelines/sentinel.yaml).
 *
 * Case-insensitive operators do the engine's case-insensitive whole-value matching: `=~`, `in~`, `contains`,
 * `startswith`, `endswith`, and `matches regex "(?i)^...$"` for other wildcard patterns (KQL uses RE2); `cased`
 * takes the `_cs`/`==` forms. JSON columns (RequestParameters, ResponseElements...) are strings: paths below them
 * are read with parse_json() and compared through tostring(). String literals are regular KQL strings with `\` and
 * `"` escaped; control characters other than tab and newline are refused.
 */
import { ConversionError, type IrRule, type Leaf, type ValueTest } from '../ir.js';
import { translateJsRegex } from '../sql/regex.js';
import { hasCase, numberText, patternRegex, refuseFieldref, refuseKeywords, renderRule, shapeOf, targetPipeline, underPrefix, type Ops, Warnings } from './common.js';

export const SENTINEL_TABLE = 'AWSCloudTrail';

/** A KQL string literal. */
export function kqlStr(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (/[\x00-\x1f\x7f\u2028\u2029]/.test(ch)) throw new ConversionError('control character in a value', `value ${JSON.stringify(s)}: KQL string literals have no documented escape for this control character`);
    else out += ch;
  }
  return out + '"';
}

/** A regular expression as a KQL verbatim string (backslashes kept), or a regular string when it has control characters. */
export function kqlRegex(re: string): string {
  return /[\x00-\x1f\x7f\u2028\u2029]/.test(re) ? kqlStr(re) : '@"' + re.replaceAll('"', '""') + '"';
}

const ident = (c: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(c) ? c : `['${c.replace(/[\\']/g, (x) => '\\' + x)}']`);

interface Col {
  /** The expression compared as text. */
  text: string;
  /** Present and not null. */
  present: string;
  /** Missing or null. */
  absent: string;
  dynamic: boolean;
}

export function convertSentinel(rule: IrRule, warn: Warnings): string {
  const { pipeline, extras } = targetPipeline('sentinel');
  const col = (field: string): Col => {
    const pre = underPrefix(pipeline, field);
    const arr = extras.arrays.find((a) => field === a || field.startsWith(a + '.'));
    if (arr) throw new ConversionError(`array in JSON column (${arr})`, `'${arr}' is an array in CloudTrail records: the engine matches any element; a parse_json() path in KQL does not`);
    if (pre && pre.rest.length) {
      const dyn = `parse_json(${ident(pre.column)})` + pre.rest.map((k) => `[${kqlStr(k)}]`).join('');
      warn.add(`Sentinel: ${pre.column} is JSON text read with parse_json(); a value below it that is an array or object is compared as its JSON text, not element by element`);
      return { text: `tostring(${dyn})`, present: `isnotnull(${dyn})`, absent: `isnull(${dyn})`, dynamic: true };
    }
    const name = pre ? pre.column : field;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ConversionError(`field '${field}'`, `'${field}' is not a column of the AWSCloudTrail table`);
    const typed = extras.types[name];
    return { text: typed ? `tostring(${ident(name)})` : ident(name), present: `isnotempty(${ident(name)})`, absent: `isempty(${ident(name)})`, dynamic: false };
  };
  const ops: Ops = {
    and: (xs) => (xs.length === 1 ? xs[0]! : `(${xs.join(' and ')})`),
    or: (xs) => (xs.length === 1 ? xs[0]! : `(${xs.join(' or ')})`),
    not: (x) => `not(${x.startsWith('(') && x.endsWith(')') ? x.slice(1, -1) : x})`,
  };
  const emptyNote = (c: Col) => {
    if (!c.dynamic) warn.add('Sentinel: a missing value is an empty string in AWSCloudTrail columns, so null/exists tests (isempty/isnotempty) treat an empty string as missing');
  };
  const test = (c: Col, t: ValueTest): string => {
    switch (t.kind) {
      case 'wild': {
        const cs = t.cased ? '_cs' : '';
        const alts = t.alternatives.map((p) => {
          const s = shapeOf(p);
          switch (s.kind) {
            case 'any':
              emptyNote(c);
              return c.present;
            case 'eq':
              return `${c.text} ${t.cased ? '==' : '=~'} ${kqlStr(s.text)}`;
            case 'contains':
            case 'startswith':
            case 'endswith':
              return `${c.text} ${s.kind}${cs} ${kqlStr(s.text)}`;
            case 'wild':
              return `${c.text} matches regex ${kqlRegex((t.cased ? '' : '(?i)') + patternRegex(s.pattern, { start: '^', end: '$' }))}`;
          }
        });
        if (!t.cased && t.alternatives.some((p) => p.some((x) => typeof x === 'string' && hasCase(x) && /[^\x00-\x7f]/.test(x))))
          warn.add("Sentinel: case-insensitive operators fold non-ASCII letters by KQL's rules");
        return alts.length === 1 ? alts[0]! : ops.or(alts);
      }
      case 're':
        return `${c.text} matches regex ${kqlRegex(translateJsRegex(t.source, t.flags, 're2'))}`;
      case 'cidr':
        if (!/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(t.network)) {
          return `coalesce(ipv6_is_in_range(trim(@"\\s+", ${c.text}), ${kqlStr(t.network)}), false)`;
        }
        return `coalesce(ipv4_is_in_range(trim(@"\\s+", ${c.text}), ${kqlStr(t.network)}), false)`;
      case 'num': {
        if (t.part) throw new ConversionError(`modifier '${t.part}'`, `time-part modifier '${t.part}' does not convert to KQL`);
        const op = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '==' }[t.op];
        return `coalesce(toreal(trim(@"\\s+", ${c.text})) ${op} ${numberText(t.value)}, false)`;
      }
    }
  };
  const leaf = (l: Leaf): string => {
    if (l.kind === 'keyword') refuseKeywords('Sentinel');
    const c = col(l.field);
    const whole = underPrefix(pipeline, l.field);
    if (whole && whole.rest.length === 0 && l.kind === 'field') objectAsText(l, whole.column);
    if (l.kind === 'exists' || l.neq || (l.kind === 'field' && l.matchNull)) emptyNote(c);
    if (l.kind === 'exists') return l.want ? c.present : c.absent;
    if (l.kind === 'fieldref') {
      if (l.mode !== 'equals') refuseFieldref('Sentinel', l.mode);
      const per = l.refs.map((r) => {
        const rc = col(r);
        return ops.and([rc.present, l.cased ? `${c.text} == ${rc.text}` : `tolower(${c.text}) == tolower(${rc.text})`]);
      });
      const pos = ops.and([c.present, l.all ? ops.and(per) : ops.or(per)]);
      return l.neq ? ops.and([c.present, ops.not(pos)]) : pos;
    }
    // Values and in~ lists when every test is plain equality.
    const eqs = l.tests.map((t) => (t.kind === 'wild' && t.alternatives.length === 1 ? shapeOf(t.alternatives[0]!) : undefined));
    let holds: string;
    if (!l.all && l.tests.length > 1 && eqs.every((s) => s?.kind === 'eq') && l.tests.every((t) => t.kind === 'wild' && t.cased === (l.tests[0] as { cased: boolean }).cased)) {
      const cased = (l.tests[0] as { cased: boolean }).cased;
      holds = `${c.text} ${cased ? 'in' : 'in~'} (${eqs.map((s) => kqlStr((s as { text: string }).text)).join(', ')})`;
    } else {
      const ts = l.tests.map((t) => test(c, t));
      holds = ts.length ? (l.all ? ops.and(ts) : ops.or(ts)) : '';
    }
    if (l.all && c.dynamic) warn.add("Sentinel: 'all' over a JSON value tests its JSON text");
    const parts: string[] = [];
    if (l.matchNull) parts.push(c.absent);
    if (holds) parts.push(holds);
    const item = parts.length ? ops.or(parts) : c.absent;
    return l.neq ? ops.and([c.present, ops.not(item)]) : item;
  };
  let where = renderRule(rule, leaf, ops);
  if (where.startsWith('(') && where.endsWith(')') && balancedKql(where.slice(1, -1))) where = where.slice(1, -1);
  return `${SENTINEL_TABLE}\n| where ${where}`;
}

function balancedKql(s: string): boolean {
  let depth = 0;
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === '\\') i++;
      else if (c === '"') q = false;
    } else if (c === '"') q = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * A JSON column compared as text (object-as-text): the engine compares compact JSON in record order; how the
 * connector serialised the column (key order, spacing, escapes) is not documented. Only a substring search for text
 * with no JSON punctuation, whitespace or escapes gives the same answer for any serialisation; anything else is refused.
 */
function objectAsText(l: Extract<Leaf, { kind: 'field' }>, column: string): void {
  const ok = l.tests.every(
    (t) => t.kind === 'wild' && t.alternatives.every((p) => { const s = shapeOf(p); return s.kind === 'contains' && /^[A-Za-z0-9_.@=+-]+$/.test(s.text); }),
  );
  if (!ok || l.neq || l.all)
    throw new ConversionError(`object-as-text (${column})`, `${column} is JSON text as the connector stored it: only a substring search for text without JSON punctuation, spaces or escapes is independent of its key order and spacing`);
}

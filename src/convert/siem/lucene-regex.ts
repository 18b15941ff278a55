/**
 * JavaScript regular expressions (Sigma `re`: unanchored search) as Lucene regular expressions (ES|QL RLIKE and
 * Lucene `/.../` queries): Lucene's are always anchored to the whole value, have no `\s`, `\b`, flags or lookaround,
 * and `.` matches every character. Translated exactly or refused (ConversionError naming the construct).
 */
import { ConversionError } from '../ir.js';

const LUCENE_SPECIAL = /[.?+*|{}[\]()"\\#@&<>~/^$]/;
const litChar = (ch: string) => (LUCENE_SPECIAL.test(ch) ? '\\' + ch : ch);
/** Any character but JavaScript's line terminators (what `.` means without the `s` flag). */
const NOT_LINE_TERMINATOR = '[^\n\r\u2028\u2029]';

export function luceneRegex(source: string, flags: string): string {
  const fail = (what: string): never => {
    throw new ConversionError(`regular expression ${what}`, `'re' value /${source}/: ${what} has no exact equivalent in Lucene regular expressions`);
  };
  if (flags.includes('i')) fail("flag 'i' (case-insensitive)");
  let out = '';
  let inClass = false;
  let anchoredStart = false;
  let anchoredEnd = false;
  let afterQuantifiable = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === undefined) fail('a trailing backslash');
      i++;
      const cls: Record<string, string> = { d: '0-9', w: 'A-Za-z0-9_' };
      if (n === 'd' || n === 'w') {
        out += inClass ? cls[n] : `[${cls[n]}]`;
      } else if (n === 'D' || n === 'W') {
        if (inClass) fail(`'\\${n}' inside a character class`);
        out += `[^${cls[n!.toLowerCase()]}]`;
      } else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 1, i + 5))) {
        out += litChar(String.fromCharCode(parseInt(source.slice(i + 1, i + 5), 16)));
        i += 4;
      } else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(source.slice(i + 1, i + 3))) {
        out += litChar(String.fromCharCode(parseInt(source.slice(i + 1, i + 3), 16)));
        i += 2;
      } else if (n === 'n' || n === 'r' || n === 't' || n === 'f' || n === 'v') {
        out += { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' }[n];
      } else if (/[A-Za-z0-9]/.test(n!)) {
        fail(`the escape '\\${n}'`);
      } else out += '\\' + n;
      afterQuantifiable = true;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c === ']' || c === '-' || c === '^' ? c : litChar(c);
      continue;
    }
    if (c === '[') {
      if (source.startsWith('[]', i) || source.startsWith('[^]', i)) fail('an empty class');
      inClass = true;
      out += '[';
      if (source[i + 1] === '^') {
        out += '^';
        i++;
      }
      afterQuantifiable = true;
      continue;
    }
    if (c === '^') {
      if (i === 0 && !flags.includes('m')) {
        anchoredStart = true;
        continue;
      }
      fail("the anchor '^' inside the expression");
    }
    if (c === '$') {
      if (i === source.length - 1 && !flags.includes('m')) {
        anchoredEnd = true;
        continue;
      }
      fail("the anchor '$' inside the expression");
    }
    if (c === '(') {
      if (source[i + 1] === '?') {
        const rest = source.slice(i + 2);
        if (rest.startsWith(':')) i += 2;
        else if (/^<[A-Za-z_][A-Za-z0-9_]*>/.test(rest)) i += 1 + /^<[A-Za-z_][A-Za-z0-9_]*>/.exec(rest)![0].length;
        else fail('a lookaround or inline flag group');
      }
      out += '(';
      afterQuantifiable = false;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      if (c === '?' && !afterQuantifiable) {
        // A lazy quantifier: the same set of matching values for a search.
        continue;
      }
      if (c === '{') {
        const m = /^\{\d+(,\d*)?\}/.exec(source.slice(i));
        if (!m) {
          out += '\\{';
          afterQuantifiable = true;
          continue;
        }
        out += m[0];
        i += m[0].length - 1;
      } else out += c;
      afterQuantifiable = false;
      continue;
    }
    if (c === ')' || c === '|') {
      out += c;
      afterQuantifiable = c === ')';
      continue;
    }
    if (c === '.') {
      out += flags.includes('s') ? '.' : NOT_LINE_TERMINATOR;
      afterQuantifiable = true;
      continue;
    }
    out += litChar(c);
    afterQuantifiable = true;
  }
  if (inClass) fail('an unterminated character class');
  if ((anchoredStart || anchoredEnd) && topLevelAlternation(out)) fail("an anchor with a top-level '|'");
  return `${anchoredStart ? '' : '.*'}(${out})${anchoredEnd ? '' : '.*'}`;
}

function topLevelAlternation(re: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

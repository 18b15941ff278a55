/**
 * Sigma `re` values are JavaScript regular expressions (the engine runs `new RegExp(source, flags)`, no `u` flag).
 * Translated token by token for RE2 (DuckDB, Trino/Athena use Java, see below) and PostgreSQL AREs, so that
 * `.`, `\s` and `\S` keep their JavaScript meaning. Constructs with no equivalent (lookaround, back-references)
 * throw ConversionError naming them.
 *
 * Known residual differences (documented in README): with `re|m`, `^`/`$` also break lines at `\r`, U+2028 and
 * U+2029 in JavaScript but only at `\n` in RE2/PostgreSQL; `re|i` folds case by Unicode rules in RE2.
 */
import { ConversionError } from '../ir.js';

export type RegexFlavor = 're2' | 'pg';

const JS_SPACE_RANGES = ['\\t', '\\n', 'V', '\\f', '\\r', ' ', 'u00a0', 'u1680', 'u2000-u200a', 'u2028', 'u2029', 'u202f', 'u205f', 'u3000', 'ufeff'];

function cp(hex: string, flavor: RegexFlavor): string {
  return flavor === 're2' ? `\\x{${hex}}` : `\\u${hex.padStart(4, '0')}`;
}

function spaceClassBody(flavor: RegexFlavor): string {
  return JS_SPACE_RANGES.map((r) => {
    if (r === 'V') return cp('000b', flavor);
    if (!r.startsWith('u')) return r;
    return r.split('-').map((x) => cp(x.slice(1), flavor)).join('-');
  }).join('');
}

export function translateJsRegex(source: string, flags: string, flavor: RegexFlavor): string {
  const fail = (what: string) => {
    throw new ConversionError(`regular expression ${what}`, `'re' value /${source}/: ${what} has no exact equivalent in ${flavor === 're2' ? 'RE2' : 'PostgreSQL'} regular expressions`);
  };
  const dotAll = flags.includes('s');
  const lineTerms = `${'\\n'}${'\\r'}${cp('2028', flavor)}${cp('2029', flavor)}`;
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === undefined) fail('a trailing backslash');
      i++;
      if (/[1-9]/.test(n!)) fail('a back-reference');
      if (n === 'k') fail('a named back-reference');
      if (n === 'c') fail("a control escape '\\c'");
      if (n === 's') {
        out += inClass ? spaceClassBody(flavor) : `[${spaceClassBody(flavor)}]`;
        continue;
      }
      if (n === 'S') {
        if (inClass) fail("'\\S' inside a character class");
        out += `[^${spaceClassBody(flavor)}]`;
        continue;
      }
      if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 1, i + 5))) {
        out += cp(source.slice(i + 1, i + 5).toLowerCase(), flavor);
        i += 4;
        continue;
      }
      if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(source.slice(i + 1, i + 3))) {
        out += cp(source.slice(i + 1, i + 3).toLowerCase(), flavor);
        i += 2;
        continue;
      }
      if (n === '0' && !/[0-9]/.test(source[i + 1] ?? '')) {
        out += cp('0', flavor);
        continue;
      }
      if (n === 'v') {
        out += cp('000b', flavor);
        continue;
      }
      if (n === 'b' && inClass) {
        out += cp('0008', flavor); // [\b] is backspace
        continue;
      }
      if (flavor === 'pg' && 'dDwWbB'.includes(n!)) {
        // PostgreSQL: \w and \d follow the locale (Unicode letters), \b is backspace: spell out JavaScript's ASCII classes.
        const cls: Record<string, string> = { d: '0-9', w: 'A-Za-z0-9_' };
        if (n === 'b' || n === 'B') fail("a word boundary '\\b' (PostgreSQL's \\y uses locale word characters)");
        const body = cls[n!.toLowerCase()]!;
        const neg = n === 'D' || n === 'W';
        if (inClass && neg) fail(`'\\${n}' inside a character class`);
        out += inClass ? body : neg ? `[^${body}]` : `[${body}]`;
        continue;
      }
      if ('dDwWbBtnrf'.includes(n!)) {
        out += '\\' + n;
        continue;
      }
      if (/[A-Za-z0-9]/.test(n!)) {
        // An identity escape in JavaScript (`\a` is `a`); other engines may give it a meaning.
        out += n;
        continue;
      }
      out += '\\' + n; // escaped punctuation
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      if (source.startsWith('[^]', i)) {
        out += flavor === 're2' ? '(?s:.)' : '[\\s\\S]';
        i += 2;
        continue;
      }
      if (source.startsWith('[]', i)) fail("the empty class '[]'");
      inClass = true;
      out += c;
      // A leading ']' or '^]' is literal in some engines and closes the class in JavaScript.
      if (source[i + 1] === '^') {
        out += '^';
        i++;
      }
      continue;
    }
    if (c === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2);
      if (rest.startsWith('=') || rest.startsWith('!') || rest.startsWith('<=') || rest.startsWith('<!')) fail('a lookaround assertion');
      if (rest.startsWith('<')) {
        const m = /^<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
        if (!m) fail('a malformed named group');
        out += flavor === 're2' ? `(?P<${m![1]}>` : '(';
        i += 1 + m![0].length;
        continue;
      }
      if (!rest.startsWith(':')) fail(`the group '(?${rest[0] ?? ''}'`);
      out += '(?:';
      i += 2;
      continue;
    }
    if (c === '.') {
      out += dotAll ? (flavor === 're2' ? '(?s:.)' : '[\\s\\S]') : `[^${lineTerms}]`;
      continue;
    }
    out += c;
  }
  if (inClass) fail('an unterminated character class');
  const inline = (flags.includes('i') ? 'i' : '') + (flags.includes('m') ? (flavor === 're2' ? 'm' : 'w') : '');
  // PostgreSQL: embedded options only at the very start, `(?w)` = ^ and $ also at newlines, . and brackets unchanged.
  return inline ? `(?${inline})${out}` : out;
}

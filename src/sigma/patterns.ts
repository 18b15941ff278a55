/**
 * Sigma string values: literal text with `*` and `?` wildcards, where `\` escapes only `*`, `?` and `\`
 * (any other backslash is literal, as in pySigma). A parsed value is a list of tokens; it compiles to the
 * cheapest test that decides it: equality, prefix, suffix, substring, or a regular expression otherwise.
 */
export const STAR = 0;
export const ONE = 1;
export type Token = string | typeof STAR | typeof ONE;
export type Pattern = Token[];

export function parsePattern(raw: string): Pattern {
  const out: Pattern = [];
  let lit = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else lit += '\\';
    } else if (c === '*' || c === '?') {
      if (lit) out.push(lit);
      lit = '';
      // Collapse runs of `*`: they mean the same and keep the fast paths applicable.
      if (c === '*' && out[out.length - 1] === STAR) continue;
      out.push(c === '*' ? STAR : ONE);
    } else lit += c;
  }
  if (lit) out.push(lit);
  return out;
}

export function literal(text: string): Pattern {
  return text ? [text] : [];
}

export function hasWildcards(p: Pattern): boolean {
  return p.some((t) => typeof t !== 'string');
}

/** The plain text of a pattern without wildcards (for encoders such as base64). */
export function patternText(p: Pattern): string {
  return p.map((t) => (typeof t === 'string' ? t : t === STAR ? '*' : '?')).join('');
}

export function wrap(p: Pattern, before: boolean, after: boolean): Pattern {
  const out = [...p];
  if (before && out[0] !== STAR) out.unshift(STAR);
  if (after && out[out.length - 1] !== STAR) out.push(STAR);
  return out;
}

/** Rendering for messages and converters: wildcards as `*`/`?`, literal specials escaped. */
export function patternToSigma(p: Pattern): string {
  return p
    .map((t) => (typeof t === 'string' ? t.replace(/[\\*?]/g, (m) => '\\' + m) : t === STAR ? '*' : '?'))
    .join('');
}

export type StringTest = (s: string) => boolean;

/**
 * Compile a pattern to a test. With `cased` false the test expects its input already lower-cased
 * (the evaluator lower-cases each field value once, not once per pattern).
 */
export function compilePattern(p: Pattern, cased: boolean): StringTest {
  const norm = (s: string) => (cased ? s : s.toLowerCase());
  const toks = p.map((t) => (typeof t === 'string' ? norm(t) : t));
  // Fast paths: the shapes almost every rule uses.
  if (toks.length === 0) return (s) => s.length === 0;
  if (toks.length === 1) {
    const t = toks[0]!;
    if (typeof t === 'string') return (s) => s === t;
    if (t === STAR) return () => true;
  }
  if (toks.length === 2) {
    const [a, b] = toks;
    if (a === STAR && typeof b === 'string') return (s) => s.endsWith(b);
    if (b === STAR && typeof a === 'string') return (s) => s.startsWith(a);
  }
  if (toks.length === 3 && toks[0] === STAR && toks[2] === STAR && typeof toks[1] === 'string') {
    const m = toks[1];
    return (s) => s.includes(m);
  }
  const src = toks
    .map((t) => (typeof t === 'string' ? escapeRegExp(t) : t === STAR ? '[\\s\\S]*' : '[\\s\\S]'))
    .join('');
  const re = new RegExp(`^${src}$`, 'u');
  return (s) => re.test(s);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&');
}

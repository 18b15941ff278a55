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

/**
 * One test for "any of these patterns" (the values of one field item): equalities in a Set, prefixes, suffixes and
 * substrings in plain loops, the rest through compilePattern. Same answers as testing each pattern in turn; with
 * thousands of rules an item is evaluated millions of times, and this saves a closure call per value.
 */
export function anyPattern(patterns: Pattern[], cased: boolean): StringTest {
  const norm = (s: string) => (cased ? s : s.toLowerCase());
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  const inner: string[] = [];
  const others: StringTest[] = [];
  for (const p of patterns) {
    const [a, b, c] = p;
    if (p.length === 1 && typeof a === 'string') exact.add(norm(a));
    else if (p.length === 2 && a === STAR && typeof b === 'string') suffixes.push(norm(b));
    else if (p.length === 2 && b === STAR && typeof a === 'string') prefixes.push(norm(a));
    else if (p.length === 3 && a === STAR && c === STAR && typeof b === 'string') inner.push(norm(b));
    else others.push(compilePattern(p, cased));
  }
  return (s) => {
    if (exact.has(s)) return true;
    for (const x of prefixes) if (s.startsWith(x)) return true;
    for (const x of suffixes) if (s.endsWith(x)) return true;
    for (const x of inner) if (s.includes(x)) return true;
    for (const t of others) if (t(s)) return true;
    return false;
  };
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&');
}

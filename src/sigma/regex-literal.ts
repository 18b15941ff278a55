/**
 * The longest literal text that every match of a regular expression must contain, found by a conservative reading of
 * its source (JavaScript syntax, not the `u` flag). Used to answer "cannot match" with one substring search before
 * running the regex (a backtracking `.+:assumed-role/.+` costs microseconds per value; `includes` costs nanoseconds),
 * and by the raw-bytes prefilter. Anything this reader does not fully understand makes it return less, never more:
 * groups, classes, escapes of letters and digits end a run; a top-level `|` means there is no required text.
 */
export function requiredLiteral(source: string, minLength = 3): string | undefined {
  let best = '';
  let run = '';
  const flush = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    let ch: string | undefined;
    switch (c) {
      case '\\': {
        const n = source[i + 1];
        if (n === undefined) return undefined;
        i++;
        if (/[A-Za-z0-9]/.test(n)) flush(); // \d \w \b \1 \u00e9 \x41 ...: not (simply) literal
        else ch = n; // an escaped punctuation character stands for itself
        break;
      }
      case '(':
      case '[': {
        const end = skipGroup(source, i);
        if (end < 0) return undefined;
        i = end;
        flush(); // what a group or class matches is not read; a quantifier after it needs no undo
        break;
      }
      case '|':
        return undefined; // alternatives at the top level: nothing is required of every match
      case '*':
      case '?':
        run = run.slice(0, -1); // the previous character may be absent
        flush();
        break;
      case '+':
        flush(); // the previous character is required, what follows may not be adjacent to it
        break;
      case '{': {
        const q = /^\{(\d+)(,\d*)?\}/.exec(source.slice(i));
        if (!q) {
          ch = c; // not a quantifier: a literal brace (non-unicode syntax)
          break;
        }
        if (Number(q[1]) === 0) run = run.slice(0, -1);
        flush();
        i += q[0].length - 1;
        break;
      }
      case '.':
      case '^':
      case '$':
        flush();
        break;
      default:
        ch = c;
    }
    if (ch !== undefined) run += ch;
  }
  flush();
  return best.length >= minLength ? best : undefined;
}

/** Index of the `)` or `]` closing the group or class opened at `start`, or -1. */
function skipGroup(s: string, start: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        if (depth === 0) return i;
      }
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i;
      if (depth < 0) return -1;
    }
  }
  return -1;
}

/**
 * The `condition` expression of a Sigma detection: and, or, not, parentheses, `1 of X*`, `all of X*`,
 * `1 of them`, `all of them`. Parsed once to a tree; names are resolved against the selections.
 */
import { RuleError } from './diagnostics.js';

export type Cond =
  | { type: 'and' | 'or'; items: Cond[] }
  | { type: 'not'; item: Cond }
  | { type: 'sel'; name: string }
  | { type: 'of'; all: boolean; names: string[]; source: string };

const TOKEN = /\s*(\(|\)|[A-Za-z0-9_*.\-]+|\|.*|\S)/y;

export function parseCondition(text: string, selections: string[]): Cond {
  const toks: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text))) {
    if (m[1]!.startsWith('|')) {
      throw new RuleError(
        `Sigma 1 aggregation '${m[1]!.trim()}' is not part of Sigma 2: express it as a correlation rule (event_count, value_count, temporal)`,
      );
    }
    toks.push(m[1]!);
  }
  if (text.trim() === '') throw new RuleError('condition is empty');
  let i = 0;
  const peek = () => toks[i];
  const lower = (t: string | undefined) => t?.toLowerCase();
  const expect = (t: string) => {
    if (peek() !== t) throw new RuleError(`condition: expected '${t}' at '${peek() ?? 'end'}' in '${text}'`);
    i++;
  };
  const known = new Set(selections);

  const parseOr = (): Cond => {
    const items = [parseAnd()];
    while (lower(peek()) === 'or') {
      i++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  };
  const parseAnd = (): Cond => {
    const items = [parseNot()];
    while (lower(peek()) === 'and') {
      i++;
      items.push(parseNot());
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  };
  const parseNot = (): Cond => {
    if (lower(peek()) === 'not') {
      i++;
      return { type: 'not', item: parseNot() };
    }
    return parseAtom();
  };
  const parseAtom = (): Cond => {
    const t = peek();
    if (t === undefined) throw new RuleError(`condition ends too early: '${text}'`);
    if (t === '(') {
      i++;
      const e = parseOr();
      expect(')');
      return e;
    }
    const q = lower(t);
    if ((q === '1' || q === 'all' || q === 'any') && lower(toks[i + 1]) === 'of') {
      i += 2;
      const target = peek();
      if (target === undefined || target === '(' || target === ')') throw new RuleError(`condition: '${t} of' needs a name pattern or 'them' in '${text}'`);
      i++;
      const names =
        lower(target) === 'them'
          ? selections.filter((s) => !s.startsWith('_'))
          : selections.filter((s) => globMatch(target, s));
      if (names.length === 0) throw new RuleError(`condition: '${t} of ${target}' matches no selection (defined: ${selections.join(', ')})`);
      return { type: 'of', all: q === 'all', names, source: `${t} of ${target}` };
    }
    if (['and', 'or', 'not', 'of'].includes(q!) || t === ')') throw new RuleError(`condition: unexpected '${t}' in '${text}'`);
    i++;
    if (!/^[A-Za-z0-9_.\-]+$/.test(t)) throw new RuleError(`condition: invalid name '${t}' in '${text}'`);
    if (!known.has(t)) throw new RuleError(`condition uses '${t}', which is not defined in detection (defined: ${selections.join(', ')})`);
    return { type: 'sel', name: t };
  };
  const tree = parseOr();
  if (i < toks.length) throw new RuleError(`condition: unexpected '${toks[i]}' in '${text}'`);
  return tree;
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.\-]/g, '\\$&')).join('.*') + '$');
  return re.test(name);
}

/** Names of selections the condition uses (to warn about unused ones). */
export function usedSelections(c: Cond, out = new Set<string>()): Set<string> {
  switch (c.type) {
    case 'and':
    case 'or':
      c.items.forEach((x) => usedSelections(x, out));
      break;
    case 'not':
      usedSelections(c.item, out);
      break;
    case 'sel':
      out.add(c.name);
      break;
    case 'of':
      c.names.forEach((n) => out.add(n));
  }
  return out;
}

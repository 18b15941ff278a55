/** Small Markdown helpers shared by the page renderers. Content text is Markdown already and is passed through. */

/** Blockquote every line (OpenTide renders description and terrain this way). */
export const quote = (text: string): string =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => (l.trim() ? `> ${l}` : '>'))
    .join('\n');

/** Text for a table cell: one line, pipes escaped. */
export const cell = (text: string): string => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();

/** Inline code that survives backticks in the value. */
export const code = (text: string): string => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

export function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '';
  return [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** A tag as one whole word: every run of characters that are not letters or digits becomes `_` (`Command & Control` → `#Command_Control`). */
export const tag = (value: string): string => `#${value.normalize('NFC').replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_+|_+$/g, '')}`;

/** File-name slug: lowercase ASCII words joined by dashes. */
export const slug = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80) || 'untitled';

/** Relative Markdown link between two pages of the site (both paths relative to the site root). */
export function relLink(from: string, to: string): string {
  const up = from.split('/').length - 1;
  return `${'../'.repeat(up)}${to}`;
}

/**
 * HTML by tagged template: every interpolated value is escaped unless it is already Html (built by `html` itself or
 * explicitly trusted with `raw`, which only renderers of escaped or sanitised output may call). Arrays are joined.
 * This is the one place escaping happens, so a page cannot forget it.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"'`]/g, (c) => ESC[c]!);

type Value = Html | string | number | boolean | null | undefined | Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Trust a string as HTML. Only for output of escapers and sanitisers (markdown-it with html disabled). */
export const raw = (s: string): Html => new Html(s);

/** A URL for href/src: only http(s), mailto, relative and fragment URLs; anything else (javascript:, data:) becomes '#'. */
export function safeUrl(u: string): string {
  const t = u.trim();
  return /^(https?:|mailto:|\/(?!\/)|#|\?)/i.test(t) || !/^[a-z][a-z0-9+.-]*:/i.test(t) ? t : '#';
}

/** Query string from params, dropping empty ones (filters are kept in the URL). */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

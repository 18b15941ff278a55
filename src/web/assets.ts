/** The stylesheet and the small script of the site, served from memory with long cache lifetimes (versioned URLs). */
import { createHash } from 'node:crypto';

export const CSS = `
:root{--fg:#1b1f24;--muted:#57606a;--bg:#fff;--panel:#f6f8fa;--line:#d0d7de;--link:#0b57d0;--focus:#1f6feb;
--sev-critical:#8b0000;--sev-high:#b42318;--sev-medium:#9a5b00;--sev-low:#1f6f43;--sev-informational:#3d4b5c;
--tlp-clear:#ffffff;--tlp-green:#33ff00;--tlp-amber:#ffc000;--tlp-red:#ff2b2b}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)} a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px} .skip:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:10}
header.site{display:flex;flex-wrap:wrap;gap:12px;align-items:center;padding:10px 16px;border-bottom:1px solid var(--line);background:var(--panel)}
header.site .brand{font-weight:700;text-decoration:none;color:var(--fg);font-size:1.15rem}
header.site nav ul{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;margin:0;padding:0}
header.site form.search{margin-left:auto;display:flex;gap:4px}
main{max-width:1100px;margin:0 auto;padding:16px}
footer.site{max-width:1100px;margin:24px auto;padding:12px 16px;color:var(--muted);font-size:.875rem;border-top:1px solid var(--line)}
h1{font-size:1.6rem;line-height:1.25;margin:.4em 0} h2{font-size:1.25rem;margin-top:1.6em} h3{font-size:1.05rem}
.muted{color:var(--muted)} .small{font-size:.875rem}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:.8rem;font-weight:600;border:1px solid transparent;white-space:nowrap}
.sev-critical{background:var(--sev-critical);color:#fff}.sev-high{background:var(--sev-high);color:#fff}.sev-medium{background:var(--sev-medium);color:#fff}
.sev-low{background:var(--sev-low);color:#fff}.sev-informational{background:var(--sev-informational);color:#fff}
.tlp{background:#000;font-family:ui-monospace,monospace}.tlp-clear{color:var(--tlp-clear)}.tlp-green{color:var(--tlp-green)}.tlp-amber,.tlp-amber\\+strict{color:var(--tlp-amber)}.tlp-red{color:var(--tlp-red)}
.status-pass{background:#dafbe1;color:#116329;border-color:#4ac26b}.status-fail{background:#ffebe9;color:#a40e26;border-color:#ff8182}.status-untested{background:#eaeef2;color:#424a53}
.status-open{background:#fff8c5;color:#7d4e00}.status-acknowledged{background:#ddf4ff;color:#0a3069}.status-closed{background:#eaeef2;color:#424a53}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px;padding:0;list-style:none}
.card{border:1px solid var(--line);border-radius:8px;padding:12px;background:#fff}
.card h3{margin:.2em 0}
ol.feed{list-style:none;padding:0} ol.feed>li{border-bottom:1px solid var(--line);padding:12px 0}
ol.feed h2{font-size:1.1rem;margin:.2em 0}
.meta{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center;color:var(--muted);font-size:.875rem}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;padding:10px;background:var(--panel);border:1px solid var(--line);border-radius:8px}
form.filters label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted)}
input,select,textarea,button{font:inherit;padding:6px 8px;border:1px solid #8c959f;border-radius:6px;background:#fff;color:var(--fg)}
button,.button{background:#1f6feb;color:#fff;border-color:#1f6feb;cursor:pointer;text-decoration:none;display:inline-block;padding:6px 12px;border-radius:6px}
button.secondary{background:#fff;color:var(--fg);border-color:#8c959f}
table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:var(--panel)} .table-wrap{overflow-x:auto}
pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem} pre{background:var(--panel);padding:10px;border-radius:6px;overflow-x:auto;white-space:pre}
blockquote{margin:0;padding:0 12px;border-left:4px solid var(--line);color:#24292f}
.error,.errors{color:#a40e26} .errors{border:1px solid #ff8182;background:#ffebe9;padding:8px 12px;border-radius:6px}
.notice{border:1px solid #54aeff;background:#ddf4ff;padding:8px 12px;border-radius:6px}
.field{display:flex;flex-direction:column;gap:2px;margin:10px 0} .field .error{font-size:.875rem}
.matrix{display:grid;grid-auto-flow:column;grid-auto-columns:minmax(150px,1fr);gap:6px;overflow-x:auto}
.matrix .tactic h3{font-size:.9rem;margin:0 0 4px;padding:4px;background:var(--panel)}
.matrix a.cell{display:block;border:1px solid var(--line);border-radius:4px;padding:4px;margin:3px 0;font-size:.8rem;text-decoration:none;color:var(--fg)}
.matrix a.cell.c1{background:#dafbe1}.matrix a.cell.c2{background:#aceebb}.matrix a.cell.c3{background:#6fdd8b}
.pager{display:flex;gap:12px;align-items:center;margin:12px 0}
details.rule>summary{cursor:pointer;font-weight:600}
@media (max-width:640px){header.site form.search{margin-left:0;width:100%} header.site form.search input{flex:1} main{padding:10px} h1{font-size:1.35rem}}
`;

/** Progressive enhancement only: pages work without it. Filters submit on change; copy buttons copy rule YAML. */
export const JS = `
document.addEventListener('change',e=>{const f=e.target.closest('form.filters[data-autosubmit]');if(f&&e.target.matches('select'))f.requestSubmit();});
document.addEventListener('click',e=>{const b=e.target.closest('button[data-copy]');if(!b)return;const t=document.getElementById(b.dataset.copy);if(t&&navigator.clipboard){navigator.clipboard.writeText(t.textContent);b.textContent='Copied';}});
`;

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
export const CSS_PATH = `/static/app.${hash(CSS)}.css`;
export const JS_PATH = `/static/app.${hash(JS)}.js`;

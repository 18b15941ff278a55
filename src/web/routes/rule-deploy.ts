/**
 * The rule page's Deploy section: a target picker (a GET form, so the choice is a URL) and the rule converted to that
 * target (src/convert), with a copy button; a rule the target cannot express shows why, as text.
 */
import { conversionOf, CONVERSION_TARGETS } from '../../server/api/conversions.js';
import { HttpError, type AppContext } from '../../server/app.js';
import type { Viewer } from '../../store/access.js';
import { html, type Html } from '../html.js';

export const DEFAULT_DEPLOY_TARGET = 'splunk';

export function deploySection(ctx: AppContext, v: Viewer, id: string, wanted: string | undefined): Html {
  const targets = CONVERSION_TARGETS();
  const target = wanted && targets.some((t) => t.name === wanted) ? wanted : DEFAULT_DEPLOY_TARGET;
  let result: Html;
  try {
    const c = conversionOf(ctx, v, id, target);
    if (!c) result = html`<p class="error">No such rule.</p>`;
    else if (c.query !== undefined)
      result = html`<p><button type="button" class="secondary" data-copy="conversion">Copy query</button></p>
<pre id="conversion"><code>${c.query}</code></pre>
${c.warnings.length ? html`<ul class="conversion-warnings">${c.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}`;
    else result = html`<p class="error" id="conversion-error">This rule does not convert to ${target}: ${c.error}</p>`;
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    result = html`<p class="error">${e.message}</p>`;
  }
  return html`<h2 id="deploy">Deploy</h2>
<form method="get" action="/rules/${encodeURIComponent(id)}#deploy" class="deploy">
<label>Target <select name="target">${targets.map((t) => html`<option value="${t.name}"${t.name === target ? html` selected` : ''}>${t.name}: ${t.description}</option>`)}</select></label>
<button type="submit">Convert</button>
</form>
${wanted && wanted !== target ? html`<p class="error">Unknown target ${wanted}; showing ${target}.</p>` : ''}
${result}`;
}

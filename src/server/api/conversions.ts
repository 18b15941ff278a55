/**
 * GET /api/v1/rules/:id/conversions?target=T — a rule converted to a target's query language (src/convert), for
 * signed-in users who may read rules. Answers {target, query, warnings} or, when the rule cannot be expressed exactly
 * in the target, {target, error, construct}. Without `target`, the list of targets. The rule page's Deploy section
 * uses the same conversion (conversionOf).
 */
import type { FastifyInstance } from 'fastify';
import { convertRule, TARGETS, type Conversion } from '../../convert/index.js';
import { can, type Viewer } from '../../store/access.js';
import { getRule } from '../../store/queries.js';
import { siteContext } from '../../web/routes/models.js';
import { HttpError, requireThat, strParam, type AppContext } from '../app.js';
import { API_PREFIX, S, type ApiOperation } from './spec.js';

export const CONVERSION_TARGETS = (): { name: string; description: string }[] => TARGETS.map((t) => ({ name: t.name, description: t.description }));

/** The conversion of a rule the viewer can see, or undefined when there is no such rule for them. */
export function conversionOf(ctx: AppContext, v: Viewer, id: string, target: string): Conversion | undefined {
  const t = TARGETS.find((x) => x.name === target);
  if (!t) throw new HttpError(400, `unknown target '${target}' (available: ${TARGETS.map((x) => x.name).join(', ')})`);
  if (!getRule(ctx.db, v, id)) return undefined;
  const site = siteContext(ctx.db, v);
  const rs = site.set.rules;
  const rule = rs.rules.find((r) => r.id === id) ?? rs.correlations.find((r) => r.id === id);
  if (!rule) return undefined;
  return convertRule(rule, t, rs.filters);
}

/** The route's OpenAPI entry (added to the generated document by ./index.ts). */
export const CONVERSIONS_DOC: Pick<ApiOperation, 'method' | 'path' | 'operationId' | 'tag' | 'summary' | 'description' | 'access' | 'params' | 'query' | 'responses'> = {
  method: 'GET',
  path: '/rules/:id/conversions',
  operationId: 'getRuleConversion',
  tag: 'Rules',
  summary: 'A rule converted to a SIEM or SQL query language',
  description:
    'With `target`: {target, query, warnings} when the rule converts exactly, or {target, error, construct, warnings} naming what the target cannot express. Without `target`: {targets: [{name, description}]}.',
  access: 'account',
  params: { id: S.text('Rule id', 200) },
  query: { target: S.text('Target: splunk, sentinel, elastic-esql, elastic-lucene, duckdb, postgres, athena, trino...', 40) },
  responses: {
    200: { description: 'The conversion, or the list of targets', schema: { type: 'object' } },
    400: { description: 'Unknown target', schema: 'Error' },
    401: { description: 'Not signed in', schema: 'Error' },
    404: { description: 'No such rule (or not visible to you)', schema: 'Error' },
  },
};

export function registerConversions(app: FastifyInstance, ctx: AppContext): void {
  app.get(`${API_PREFIX}/rules/:id/conversions`, async (req) => {
    requireThat(req, can.readRules(req.viewer), 'detection rules');
    const id = strParam((req.params as Record<string, unknown>).id, 200) ?? '';
    const target = strParam((req.query as Record<string, unknown>).target, 40);
    if (!target) {
      if (!getRule(ctx.db, req.viewer, id)) throw new HttpError(404, `no rule ${id}`);
      return { targets: CONVERSION_TARGETS() };
    }
    const c = conversionOf(ctx, req.viewer, id, target);
    if (!c) throw new HttpError(404, `no rule ${id}`);
    return c.query !== undefined ? { target: c.target, query: c.query, warnings: c.warnings } : { target: c.target, error: c.error, construct: c.construct, warnings: c.warnings };
  });
}

/**
 * POST /api/v1/ingest — CloudTrail records over HTTP. The body is anything the log readers take (NDJSON, a CloudTrail
 * delivery file `{"Records":[...]}`, EventBridge events one per line or in an array, a bare record; gzip too, by
 * content): each record runs through the stored rules (those of the platform, CloudTrail logsource) and the alerts go
 * into the store, one per rule and eventID (a record sent twice raises no second alert). Token-authenticated scripts
 * and collectors (Bearer tl_..., analyst role or higher: the `ingest` capability); cookie sessions need the CSRF header.
 * Stored correlation rules are evaluated too (state in this process's memory, see evaluatorOf); their alerts are
 * stored as alert rows (store/alerts.ts insertCorrelationAlert). Answers {records, alerts, correlationAlerts,
 * duplicates, errors}: 200 when at least one record was read, 400 when none was.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Detector } from '../../detect/engine.js';
import { buildAlert, type Alert } from '../../detect/alert.js';
import { CorrelationEngine, DEFAULT_MAX_DISORDER_MS, type CorrelationAlert } from '../../detect/correlation.js';
import { isCloudTrailRule } from '../../detect/selection.js';
import { readLogStream } from '../../logs/reader.js';
import type { RuleSet } from '../../sigma/load.js';
import type { JsonObject } from '../../sigma/fields.js';
import { hasRole, type Viewer } from '../../store/access.js';
import { insertAlert, insertCorrelationAlert } from '../../store/alerts.js';
import { storedRules } from '../../store/content.js';
import { HttpError, requireThat, type AppContext } from '../app.js';
import { API_PREFIX, type ApiOperation } from './spec.js';

/** Who may push records: analysts and above (they may read the alerts it raises). */
export const canIngest = (v: Viewer): boolean => hasRole(v, 'analyst');
export const INGEST_BODY_LIMIT = 32 * 1024 * 1024;
const MAX_ERRORS = 100;

/**
 * Per stored rule set (a new one each time the rules change): the detector and the correlation engine. Correlation
 * state lives in this server process's memory: windows span requests (a StopLogging in one request and a DeleteTrail
 * in the next correlate), with the streaming workers' disorder tolerance (15 minutes of event time: a window is
 * decided once a later correlated record is that far past it). A restart of the server, or a change of the stored
 * rules, starts the windows empty; streaming workers (`tideline worker --data`) keep theirs across restarts.
 */
interface Evaluator {
  detector: Detector;
  correlator?: CorrelationEngine;
  silent: Set<string>;
}
const evaluators = new WeakMap<RuleSet, Evaluator>();
function evaluatorOf(set: RuleSet): Evaluator {
  let e = evaluators.get(set);
  if (!e) {
    const rules = set.rules.filter(isCloudTrailRule);
    const correlator = set.correlations.length ? new CorrelationEngine(set.correlations, rules, { maxDisorderMs: DEFAULT_MAX_DISORDER_MS }) : undefined;
    const active = correlator?.active.length ? correlator : undefined;
    evaluators.set(set, (e = { detector: new Detector(rules), correlator: active, silent: active?.silent ?? new Set() }));
  }
  return e;
}

export const INGEST_DOC: Pick<ApiOperation, 'method' | 'path' | 'operationId' | 'tag' | 'summary' | 'description' | 'access' | 'body' | 'responses'> = {
  method: 'POST',
  path: '/ingest',
  operationId: 'ingestRecords',
  tag: 'Alerts',
  summary: 'Send CloudTrail records; alerts of the stored rules go into the store',
  description:
    'Body: NDJSON (`application/x-ndjson`), a CloudTrail delivery file `{"Records":[...]}`, EventBridge event(s) or a bare record (`application/json`), gzip accepted (`Content-Encoding` not needed: detected from content). Up to 32 MiB. One alert per rule and eventID: sending a record again raises nothing new (`duplicates`). Stored correlation rules are evaluated too, their windows kept in the server process\'s memory across requests (15 minutes of event-time disorder tolerated; a server restart starts them empty); a correlation alert is stored once per rule, group and window. Answers `{records, alerts, correlationAlerts, duplicates, errors: [{index?, line?, message}]}`.',
  access: 'analyst',
  body: { schema: { type: 'string', description: 'NDJSON, CloudTrail file, EventBridge event(s)' }, required: true, example: '{"eventVersion":"1.08","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventID":"...","awsRegion":"us-east-1"}\n' },
  responses: {
    200: { description: '{records, alerts, correlationAlerts, duplicates, errors}', schema: { type: 'object', properties: { records: { type: 'integer' }, alerts: { type: 'integer' }, correlationAlerts: { type: 'integer' }, duplicates: { type: 'integer' }, errors: { type: 'array' } } } },
    400: { description: 'No record could be read from the body', schema: 'Error' },
    401: { description: 'No or invalid token', schema: 'Error' },
    403: { description: 'Role below analyst', schema: 'Error' },
    413: { description: 'Body over 32 MiB', schema: 'Error' },
  },
};

export function registerIngest(app: FastifyInstance, ctx: AppContext): void {
  // Own body parsing (raw bytes, any content type, larger limit) in an encapsulated context; the root's hooks
  // (authentication, CSRF, headers) and error handler apply as everywhere.
  void app.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: INGEST_BODY_LIMIT }, (_req, body, done) => done(null, body));
    child.post(`${API_PREFIX}/ingest`, { bodyLimit: INGEST_BODY_LIMIT }, async (req) => {
      requireThat(req, canIngest(req.viewer), 'sending records');
      const body = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw new HttpError(400, 'empty body: send NDJSON, a CloudTrail file {"Records":[...]} or EventBridge event(s)');
      const { detector, correlator, silent } = evaluatorOf(storedRules(ctx.db));
      const who = req.viewer.user?.username ?? 'token';
      const alerts: Alert[] = [];
      const correlations: CorrelationAlert[] = [];
      const errors: { index?: number; line?: number; message: string }[] = [];
      let records = 0;
      const summary = await readLogStream(Readable.from([body]), {
        record(rec: JsonObject, index: number) {
          records++;
          const hits = detector.match(rec);
          for (const rule of hits) if (!silent.has(rule.id)) alerts.push(buildAlert(rule, rec, `ingest:${who}`, index));
          if (correlator) correlations.push(...correlator.process(rec, hits));
        },
        error(message, where) {
          if (errors.length < MAX_ERRORS) errors.push({ ...where, message });
        },
      });
      if (records === 0) throw new HttpError(400, errors[0]?.message ?? summary.skipped ?? 'no CloudTrail record in the body');
      let inserted = 0;
      let correlated = 0;
      ctx.db.transaction(() => {
        for (const a of alerts) if (insertAlert(ctx.db, a)) inserted++;
        for (const c of correlations) if (insertCorrelationAlert(ctx.db, c, `ingest:${who}`)) correlated++;
      })();
      return { records, alerts: inserted, correlationAlerts: correlated, duplicates: alerts.length - inserted + correlations.length - correlated, errors };
    });
  });
}

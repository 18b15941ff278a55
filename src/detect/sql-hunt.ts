/**
 * `tideline hunt --engine duckdb|athena`: the same hunt, with the rules converted to SQL (src/convert) and run by a
 * database instead of the streaming engine. Alerts are built and formatted exactly as the native engine does
 * (AlertBatchWriter.hit: buildAlert + the hunt's AlertFormat), in the native order (file, record index, rule
 * order), so the CLI's deduplication, summary and --count apply unchanged.
 *
 *  - duckdb: embedded DuckDB (@duckdb/node-api, loaded when asked for). Each input file is read by DuckDB's
 *    read_json_objects (gzip by the .gz name, one JSON document or NDJSON), delivery files' `Records` unnested,
 *    EventBridge envelopes unwrapped, plain records (NDJSON) kept; each record keeps its file and index.
 *  - athena: the converted Athena SQL is submitted with StartQueryExecution (@aws-sdk/client-athena, an optional peer
 *    loaded with a dynamic import) over the CloudTrail table of the README, "SQL over Athena, CloudTrail Lake and Spark", polled, and GetQueryResults
 *    rows are turned back into CloudTrail records (the columns of ATHENA_COLUMNS) and alerts.
 * Rules that do not convert to the engine's SQL are reported as errors naming the construct (exit status 2).
 */
import { convertRule, findTarget } from '../convert/index.js';
import type { Json, JsonObject } from '../sigma/fields.js';
import type { DetectionRule } from '../sigma/rule.js';
import type { InputFile } from '../logs/walk.js';
import type { FileResult, InputError, TimeWindow } from './file-hunt.js';
import { alertWriter, type HuntCallbacks, type HuntConfig, type PreparedRules } from './hunt.js';

function inWindow(rec: JsonObject, w: TimeWindow): boolean {
  if (w.since === undefined && w.until === undefined) return true;
  const t = typeof rec.eventTime === 'string' ? Date.parse(rec.eventTime) : NaN;
  if (Number.isNaN(t)) return false;
  if (w.since !== undefined && t < w.since) return false;
  if (w.until !== undefined && t >= w.until) return false;
  return true;
}

/** Convert every selected rule; the ones that cannot convert are reported and left out. */
function convertAll(rules: DetectionRule[], filters: PreparedRules['set']['filters'], target: string, table: string, onError: (e: InputError) => void) {
  const out: { rule: DetectionRule; order: number; sql: string }[] = [];
  rules.forEach((rule, order) => {
    const c = convertRule(rule, findTarget(target), filters, [], { table, column: 'record' });
    if (c.error || !c.query) onError({ file: rule.file, message: `rule '${rule.title}' not run by the ${target} engine: ${c.error}` });
    else out.push({ rule, order, sql: c.query });
  });
  return out;
}

/** An optional npm package the chosen engine needs is not installed (the CLI reports it as a usage error). */
export class MissingPackageError extends Error {}

async function importOptional<T>(name: string, why: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    throw new MissingPackageError(`${why} needs the npm package ${name}: install it beside tideline (npm install ${name}) [${(e as Error).message.split('\n')[0]}]`);
  }
}

/** The records of every input file, as one SQL statement (DuckDB). */
export function duckdbLoadSql(fileId: number, path: string): string {
  const lit = `'${path.replaceAll("'", "''")}'`;
  const items =
    `CASE WHEN json_type(json, '/Records') = 'ARRAY' THEN json_extract(json, '$.Records[*]')` +
    ` WHEN json_type(json, '/detail-type') = 'VARCHAR' AND json_type(json, '/detail') = 'OBJECT' THEN [json_extract(json, '/detail')]` +
    ` WHEN json_type(json, '/eventName') = 'VARCHAR' OR json_type(json, '/eventSource') = 'VARCHAR' OR json_extract_string(json, '/eventType') = 'AwsCloudTrailInsight' THEN [json]` +
    ` WHEN json_type(json, '/digestStartTime') = 'VARCHAR' THEN []::JSON[]` +
    ` ELSE error('not CloudTrail: no eventName/eventSource, Records array or EventBridge envelope (the duckdb engine does not read lookup-events output)') END`;
  return (
    `INSERT INTO cloudtrail SELECT ${fileId}, CAST(row_number() OVER (ORDER BY o, k) - 1 AS INTEGER), record FROM (` +
    `SELECT o, unnest(items) AS record, unnest(range(len(items))) AS k FROM (` +
    `SELECT row_number() OVER () AS o, ${items} AS items FROM read_json_objects(${lit}, format='auto', compression='auto_detect', maximum_object_size=1073741824)))`
  );
}

export async function runDuckdbHunt(cfg: HuntConfig, rules: PreparedRules, files: InputFile[], cb: HuntCallbacks): Promise<void> {
  const duck = await importOptional<typeof import('@duckdb/node-api')>('@duckdb/node-api', 'hunt --engine duckdb');
  const instance = await duck.DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run('CREATE TABLE cloudtrail (file_id INTEGER, idx INTEGER, record JSON)');
    const counts: number[] = [];
    const fileErrors: (string | undefined)[] = [];
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      if (f.path === '-') {
        fileErrors[i] = 'stdin is not read by --engine duckdb (give files)';
        counts[i] = 0;
        continue;
      }
      try {
        await conn.run(duckdbLoadSql(i, f.path));
      } catch (e) {
        fileErrors[i] = (e as Error).message.split('\n')[0];
      }
    }
    for (const row of (await conn.runAndReadAll('SELECT file_id, count(*) FROM cloudtrail GROUP BY file_id')).getRows()) counts[Number(row[0])] = Number(row[1]);
    const hits: { file: number; idx: number; order: number; rule: DetectionRule; text: string }[] = [];
    for (const { rule, order, sql } of convertAll(rules.selected, rules.set.filters, 'duckdb', 'cloudtrail', cb.onError)) {
      const q = sql.replace(/^SELECT \*/, 'SELECT file_id, idx, CAST(record AS VARCHAR)');
      try {
        for (const r of (await conn.runAndReadAll(q)).getRows()) hits.push({ file: Number(r[0]), idx: Number(r[1]), order, rule, text: String(r[2]) });
      } catch (e) {
        cb.onError({ file: rule.file, message: `rule '${rule.title}': DuckDB stopped the query: ${(e as Error).message.split('\n')[0]}` });
      }
    }
    hits.sort((a, b) => a.file - b.file || a.idx - b.idx || a.order - b.order);
    const writer = alertWriter(cfg, rules);
    let h = 0;
    for (let i = 0; i < files.length; i++) {
      let alerts = 0;
      let outOfWindow = 0;
      const seenOut = new Set<number>();
      if (fileErrors[i]) cb.onError({ file: files[i]!.path, message: fileErrors[i]! });
      for (; h < hits.length && hits[h]!.file === i; h++) {
        const x = hits[h]!;
        const rec = JSON.parse(x.text) as JsonObject;
        if (!inWindow(rec, cfg.window)) {
          seenOut.add(x.idx);
          continue;
        }
        alerts++;
        writer.hit(x.rule, rec, files[i]!.path, x.idx, undefined);
      }
      if (writer.count) cb.onAlerts(writer.take());
      if (cfg.window.since !== undefined || cfg.window.until !== undefined) {
        const q = `SELECT count(*) FROM cloudtrail WHERE file_id = ${i} AND NOT COALESCE(${windowSql(cfg.window)}, FALSE)`;
        outOfWindow = Number((await conn.runAndReadAll(q)).getRows()[0]![0]);
      }
      const res: FileResult = { file: files[i]!.path, records: counts[i] ?? 0, errors: fileErrors[i] ? 1 : 0, bytes: files[i]!.size, alerts, outOfWindow };
      cb.onFileDone(res, files[i]!);
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** DuckDB: the record's eventTime inside the window (same reading as Date.parse for CloudTrail's ISO times). */
function windowSql(w: TimeWindow): string {
  const t = `TRY_CAST(json_extract_string(record, '$.eventTime') AS TIMESTAMPTZ)`;
  const parts: string[] = [];
  if (w.since !== undefined) parts.push(`${t} >= make_timestamptz(${w.since * 1000})`);
  if (w.until !== undefined) parts.push(`${t} < make_timestamptz(${w.until * 1000})`);
  return parts.join(' AND ');
}

// ---------------------------------------------------------------------------------------------------------------
// Athena
// ---------------------------------------------------------------------------------------------------------------

export interface AthenaOptions {
  database: string;
  table: string;
  workgroup?: string;
  outputLocation?: string;
  /** Poll interval (ms) while a query runs. */
  pollMs?: number;
}

/** The columns read back, as [SQL expression, CloudTrail path]; the alert's event is rebuilt from them. */
export const ATHENA_RESULT_COLUMNS: [string, string][] = [
  ['"eventversion"', 'eventVersion'],
  ['"eventtime"', 'eventTime'],
  ['"eventsource"', 'eventSource'],
  ['"eventname"', 'eventName'],
  ['"awsregion"', 'awsRegion'],
  ['"sourceipaddress"', 'sourceIPAddress'],
  ['"useragent"', 'userAgent'],
  ['"errorcode"', 'errorCode'],
  ['"errormessage"', 'errorMessage'],
  ['"useridentity"."type"', 'userIdentity.type'],
  ['"useridentity"."principalid"', 'userIdentity.principalId'],
  ['"useridentity"."arn"', 'userIdentity.arn'],
  ['"useridentity"."accountid"', 'userIdentity.accountId'],
  ['"useridentity"."invokedby"', 'userIdentity.invokedBy'],
  ['"useridentity"."accesskeyid"', 'userIdentity.accessKeyId'],
  ['"useridentity"."username"', 'userIdentity.userName'],
  ['"useridentity"."sessioncontext"."sessionissuer"."arn"', 'userIdentity.sessionContext.sessionIssuer.arn'],
  ['"useridentity"."sessioncontext"."attributes"."mfaauthenticated"', 'userIdentity.sessionContext.attributes.mfaAuthenticated'],
  ['"requestparameters"', 'requestParameters'],
  ['"responseelements"', 'responseElements'],
  ['"additionaleventdata"', 'additionalEventData'],
  ['"requestid"', 'requestID'],
  ['"eventid"', 'eventID'],
  ['"readonly"', 'readOnly'],
  ['"eventtype"', 'eventType'],
  ['"recipientaccountid"', 'recipientAccountId'],
  ['"eventcategory"', 'eventCategory'],
  ['"$path"', '$path'],
];
const JSON_TEXT = new Set(['requestParameters', 'responseElements', 'additionalEventData']);

/** The StartQueryExecution input for one converted rule (the SQL's `SELECT *` becomes the result columns). */
export function athenaStartRequest(sql: string, o: AthenaOptions): Record<string, unknown> {
  const query = sql.replace(/^SELECT \*/, `SELECT ${ATHENA_RESULT_COLUMNS.map(([e], i) => `${e} AS c${i}`).join(', ')}`);
  const req: Record<string, unknown> = { QueryString: query, QueryExecutionContext: { Database: o.database } };
  if (o.workgroup) req.WorkGroup = o.workgroup;
  if (o.outputLocation) req.ResultConfiguration = { OutputLocation: o.outputLocation };
  return req;
}

interface AthenaRow {
  Data?: { VarCharValue?: string }[];
}
export interface AthenaResultsPage {
  ResultSet?: { Rows?: AthenaRow[]; ResultSetMetadata?: { ColumnInfo?: { Name?: string }[] } };
  NextToken?: string;
}

function setPath(o: JsonObject, path: string, v: Json): void {
  const parts = path.split('.');
  let cur = o;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p] as JsonObject;
  }
  cur[parts.at(-1)!] = v;
}

/** GetQueryResults pages -> records (with the S3 object they came from). The first row of the first page is the header. */
export function athenaRecords(pages: AthenaResultsPage[]): { record: JsonObject; file: string }[] {
  const out: { record: JsonObject; file: string }[] = [];
  pages.forEach((page, pi) => {
    const rows = page.ResultSet?.Rows ?? [];
    rows.forEach((row, ri) => {
      if (pi === 0 && ri === 0) return; // column labels
      const cells = row.Data ?? [];
      const rec: JsonObject = {};
      let file = '';
      ATHENA_RESULT_COLUMNS.forEach(([, path], i) => {
        const v = cells[i]?.VarCharValue;
        if (v === undefined) return; // SQL NULL
        if (path === '$path') file = v;
        else if (JSON_TEXT.has(path)) {
          try {
            setPath(rec, path, JSON.parse(v) as Json);
          } catch {
            setPath(rec, path, v);
          }
        } else if (path === 'readOnly') setPath(rec, path, v === 'true' ? true : v === 'false' ? false : v);
        else setPath(rec, path, v);
      });
      out.push({ record: rec, file });
    });
  });
  return out;
}

/** The three Athena calls the hunt makes (the SDK client wrapped; tests give recorded answers). */
export interface AthenaApi {
  start(input: Record<string, unknown>): Promise<{ QueryExecutionId?: string }>;
  status(id: string): Promise<{ QueryExecution?: { Status?: { State?: string; StateChangeReason?: string } } }>;
  results(id: string, nextToken?: string): Promise<AthenaResultsPage>;
}

export async function sdkAthenaApi(): Promise<AthenaApi> {
  type Sdk = {
    AthenaClient: new (c: object) => { send(c: unknown): Promise<never> };
    StartQueryExecutionCommand: new (i: object) => unknown;
    GetQueryExecutionCommand: new (i: object) => unknown;
    GetQueryResultsCommand: new (i: object) => unknown;
  };
  const sdk = await importOptional<Sdk>('@aws-sdk/client-athena', 'hunt --engine athena');
  const client = new sdk.AthenaClient({});
  return {
    start: (input) => client.send(new sdk.StartQueryExecutionCommand(input)),
    status: (id) => client.send(new sdk.GetQueryExecutionCommand({ QueryExecutionId: id })),
    results: (id, NextToken) => client.send(new sdk.GetQueryResultsCommand({ QueryExecutionId: id, NextToken })),
  };
}

export async function runAthenaHunt(cfg: HuntConfig, rules: PreparedRules, o: AthenaOptions, cb: HuntCallbacks, api: AthenaApi): Promise<{ records: number }> {
  const writer = alertWriter(cfg, rules);
  const table = `${o.database}.${o.table}`;
  let records = 0;
  let outOfWindow = 0;
  for (const { rule, sql } of convertAll(rules.selected, rules.set.filters, 'athena', table, cb.onError)) {
    const started = await api.start(athenaStartRequest(sql, o));
    const id = started.QueryExecutionId;
    if (!id) throw new Error('Athena StartQueryExecution returned no QueryExecutionId');
    let state = 'QUEUED';
    for (;;) {
      const st = (await api.status(id)).QueryExecution?.Status;
      state = st?.State ?? 'UNKNOWN';
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED') {
        cb.onError({ file: rule.file, message: `rule '${rule.title}': Athena query ${id} ${state}: ${st?.StateChangeReason ?? ''}` });
        break;
      }
      await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
    }
    if (state !== 'SUCCEEDED') continue;
    const pages: AthenaResultsPage[] = [];
    let token: string | undefined;
    do {
      const page = await api.results(id, token);
      pages.push(page);
      token = page.NextToken;
    } while (token);
    athenaRecords(pages).forEach(({ record, file }, index) => {
      records++;
      if (!inWindow(record, cfg.window)) {
        outOfWindow++;
        return;
      }
      writer.hit(rule, record, file || `athena:${table}`, index, undefined);
    });
    if (writer.count) cb.onAlerts(writer.take());
  }
  cb.onFileDone({ file: `athena:${table}`, records, errors: 0, bytes: 0, alerts: records - outOfWindow, outOfWindow }, { path: `athena:${table}`, size: 0 });
  return { records };
}

// The Athena CloudTrail table (the README, "SQL over Athena, CloudTrail Lake and Spark", /work/shared/cloudtrail §4) built in DuckDB from CloudTrail
// records, the way Athena's Hive JSON SerDe reads them: keys matched case-insensitively, a STRING column or struct
// member gets the text of a JSON scalar (objects and arrays as their JSON text), structs and arrays of structs are
// typed, requestparameters/responseelements/additionaleventdata/serviceeventdetails/edgedevicedetails are JSON text.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Json, JsonObject } from '../../src/sigma/fields.js';

type T = 'S' | 'J' | { [k: string]: T } | [T];

const USER_IDENTITY: T = {
  type: 'S', principalid: 'S', arn: 'S', accountid: 'S', invokedby: 'S', accesskeyid: 'S', username: 'S',
  onbehalfof: { userid: 'S', identitystorearn: 'S' },
  sessioncontext: {
    attributes: { mfaauthenticated: 'S', creationdate: 'S' },
    sessionissuer: { type: 'S', principalid: 'S', arn: 'S', accountid: 'S', username: 'S' },
    ec2roledelivery: 'S',
    webidfederationdata: { federatedprovider: 'S' },
  },
};

/** The DDL's columns in order ('S' STRING, 'J' STRING holding JSON text). */
export const ATHENA_COLUMNS: [string, T][] = [
  ['eventversion', 'S'], ['useridentity', USER_IDENTITY], ['eventtime', 'S'], ['eventsource', 'S'], ['eventname', 'S'],
  ['awsregion', 'S'], ['sourceipaddress', 'S'], ['useragent', 'S'], ['errorcode', 'S'], ['errormessage', 'S'],
  ['requestparameters', 'J'], ['responseelements', 'J'], ['additionaleventdata', 'J'], ['requestid', 'S'], ['eventid', 'S'],
  ['readonly', 'S'], ['resources', [{ arn: 'S', accountid: 'S', type: 'S' }]], ['eventtype', 'S'], ['apiversion', 'S'],
  ['recipientaccountid', 'S'], ['serviceeventdetails', 'J'], ['sharedeventid', 'S'], ['vpcendpointid', 'S'],
  ['vpcendpointaccountid', 'S'], ['eventcategory', 'S'],
  ['addendum', { reason: 'S', updatedfields: 'S', originalrequestid: 'S', originaleventid: 'S' }],
  ['sessioncredentialfromconsole', 'S'], ['edgedevicedetails', 'J'],
  ['tlsdetails', { tlsversion: 'S', ciphersuite: 'S', clientprovidedhostheader: 'S' }],
];

function duckType(t: T): string {
  if (t === 'S' || t === 'J') return 'VARCHAR';
  if (Array.isArray(t)) return `${duckType(t[0])}[]`;
  return `STRUCT(${Object.entries(t).map(([k, v]) => `"${k}" ${duckType(v)}`).join(', ')})`;
}

/** A key of the record, matched as the SerDe does (exact spelling first, else case-insensitively). */
function member(o: JsonObject, key: string): Json | undefined {
  if (key in o) return o[key];
  const k = Object.keys(o).find((x) => x.toLowerCase() === key);
  return k === undefined ? undefined : o[k];
}

function value(v: Json | undefined, t: T): unknown {
  if (v === undefined || v === null) return null;
  if (t === 'S' || t === 'J') return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (Array.isArray(t)) return Array.isArray(v) ? v.map((x) => value(x, t[0])) : null;
  if (typeof v !== 'object' || Array.isArray(v)) return null;
  return Object.fromEntries(Object.entries(t).map(([k, sub]) => [k, value(member(v, k), sub)]));
}

export function athenaRow(e: JsonObject): Record<string, unknown> {
  return Object.fromEntries(ATHENA_COLUMNS.map(([k, t]) => [k, value(member(e, k), t)]));
}

/** Create `table` (idx + the Athena columns) from the events, and the Trino shim macros. */
export async function createAthenaTable(conn: DuckDBConnection, table: string, events: JsonObject[], dir: string): Promise<void> {
  const file = join(dir, `${table}.ndjson`);
  writeFileSync(file, events.map((e, i) => JSON.stringify({ idx: i, ...athenaRow(e) })).join('\n') + '\n');
  const columns = [`idx: 'INTEGER'`, ...ATHENA_COLUMNS.map(([k, t]) => `${k}: '${duckType(t).replaceAll("'", "''")}'`)];
  await conn.run(`CREATE TABLE ${table} AS SELECT * FROM read_json('${file.replaceAll("'", "''")}', format='newline_delimited', columns={${columns.join(', ')}})`);
  await conn.run(readFileSync(join(__dirname, '../../src/convert/sql/trino-shim.sql'), 'utf8'));
}

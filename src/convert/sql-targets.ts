/**
 * The SQL targets of brief CV2, registered in index.ts: athena and trino (same SQL over the Athena CloudTrail table),
 * cloudtrail-lake (CloudTrail Lake SQL) and spark (Spark SQL over the JSON as delivered).
 */
import type { Target } from './index.js';
import { resolvePipeline } from './pipeline.js';
import { LAKE, SPARK, trinoSql } from './sql/trino.js';

const athenaLike = (name: string, description: string): Target => ({
  name,
  description,
  pipeline: 'athena',
  convert: (rule, o) => trinoSql(rule, resolvePipeline('athena'), { table: o.table ?? 'cloudtrail_logs' }),
});

export const athenaTarget = athenaLike('athena', 'Amazon Athena SQL over the CloudTrail table AWS documents for Athena (structs, JSON text columns)');
export const trinoTarget = athenaLike('trino', 'Trino SQL over the Athena CloudTrail table schema (same SQL as athena)');

export const cloudtrailLakeTarget: Target = {
  name: 'cloudtrail-lake',
  description: 'CloudTrail Lake SQL (FROM <event data store ID>; map<string,string> parameters via element_at)',
  pipeline: 'cloudtrail-lake',
  convert: (rule, o) => trinoSql(rule, resolvePipeline('cloudtrail-lake'), { table: o.table ?? 'EVENT_DATA_STORE_ID' }, LAKE),
};

export const sparkTarget: Target = {
  name: 'spark',
  description: 'Spark SQL over a STRING column of CloudTrail records as delivered (get_json_object)',
  pipeline: 'spark-json',
  convert: (rule, o) => trinoSql(rule, resolvePipeline('spark-json'), { table: o.table ?? 'cloudtrail', column: o.column ?? 'record' }, SPARK),
};

/** The SIEM targets (registered in ../index.ts): Splunk SPL, Sentinel KQL, Elastic ES|QL and Lucene. */
import type { IrRule } from '../ir.js';
import { Warnings } from './common.js';
import { convertEsql, convertLucene } from './elastic.js';
import { convertSentinel } from './sentinel.js';
import { convertSplunk } from './splunk.js';

interface SiemTarget {
  name: string;
  description: string;
  pipeline: string;
  convert(rule: IrRule, opts: { warn?: (w: string) => void }): string;
}

const siem = (name: string, pipeline: string, description: string, fn: (r: IrRule, w: Warnings) => string): SiemTarget => ({
  name,
  description,
  pipeline,
  convert(rule, opts) {
    const w = new Warnings();
    const q = fn(rule, w);
    for (const x of w.list()) opts.warn?.(x);
    return q;
  },
});

export const splunkTarget = siem('splunk', 'splunk', 'Splunk SPL over sourcetype=aws:cloudtrail (Splunk Add-on for AWS, raw JSON field names)', convertSplunk);
export const sentinelTarget = siem('sentinel', 'sentinel', 'Microsoft Sentinel KQL over the AWSCloudTrail table', convertSentinel);
export const esqlTarget = siem('elastic-esql', 'elastic', 'Elastic ES|QL over logs-aws.cloudtrail-* (Elastic AWS integration fields)', convertEsql);
export const luceneTarget = siem('elastic-lucene', 'elastic', 'Elastic Lucene query string (Kibana) over the Elastic AWS integration fields', convertLucene);

/** File extension of each SIEM target's golden files and downloads. */
export const SIEM_EXT: Record<string, string> = { splunk: 'spl', sentinel: 'kql', 'elastic-esql': 'esql', 'elastic-lucene': 'lucene' };

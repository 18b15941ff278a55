/**
 * Attack emulation: plays an advisory's attack chain as CloudTrail records, mixed with benign background noise.
 *
 * Each step's `calls` become full records (see aws.ts for the defaults filled in; what a call gives is kept,
 * deep-merged over them). The attacker starts as an IAM user with a stolen long-term access key, from one
 * external IP with its own tooling; a successful sts AssumeRole moves later calls to the assumed-role session,
 * a successful ConsoleLogin to a console session. Steps are a few minutes apart, calls in a step seconds apart.
 * Deterministic: every choice comes from streams seeded by `seed`, times from `start`; nothing reads the clock.
 */
import type { Advisory, ChainCall } from '../content/model.js';
import {
  accessKey, type CallContext, type CallSpec, cliCommand, type Client, deepMerge, defaultErrorMessage, defaultParams, describeCall, HOUR,
  iamUserConsoleIdentity, iamUserIdentity, isPlainObject, MINUTE, parseRoleArn, type Rec, recordRegion, SECOND, sessionIdentity, TLS13, UA,
  AWS_INTERNAL_SOURCES, userId, makeRecord,
} from './aws.js';
import { generateNoise } from './noise.js';
import { Rng } from './rng.js';

export interface SimulateOptions {
  /** Default: the advisory uuid. Same seed + same start -> byte-identical output. */
  seed?: string;
  /** When step 1 begins. */
  start: Date;
  /** Default '111122223333'. */
  account?: string;
  /** Default 'us-east-1'. */
  region?: string;
  /** Number of benign background events mixed in (default 500), spread over [start - 1h, end + 1h]. */
  noise?: number;
}

/** `index` is 1-based; `eventIDs` are the step's records in call order (empty for a step without calls). */
export interface SimulatedStep {
  index: number;
  name: string;
  eventIDs: string[];
}

export interface Simulation {
  /** Attack and noise records, sorted by eventTime. */
  records: Record<string, unknown>[];
  steps: SimulatedStep[];
  noiseEventIDs: string[];
  /** What the simulation was made from (written to simulation.json by writeS3Export). */
  advisory: { uuid: string; name: string };
  seed: string;
  /** ISO time of `opts.start`. */
  start: string;
  account: string;
  region: string;
}

/** Top-level ChainCall keys with a meaning of their own; any other key is a CloudTrail field merged over the record. */
const CALL_KEYS = new Set(['eventSource', 'eventName', 'count', 'requestParameters', 'responseElements', 'additionalEventData', 'errorCode', 'errorMessage', 'readOnly', 'eventType']);

/** CloudTrail's field order; fields not listed keep their place after these. */
const FIELD_ORDER = [
  'eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'errorCode', 'errorMessage',
  'requestParameters', 'responseElements', 'additionalEventData', 'requestID', 'eventID', 'readOnly', 'resources', 'eventType', 'apiVersion',
  'managementEvent', 'recipientAccountId', 'sharedEventID', 'vpcEndpointId', 'vpcEndpointAccountId', 'eventCategory', 'sessionCredentialFromConsole', 'tlsDetails',
];
function ordered(rec: Rec): Rec {
  const out: Rec = {};
  for (const k of FIELD_ORDER) if (k in rec) out[k] = rec[k];
  for (const [k, v] of Object.entries(rec)) if (!(k in out)) out[k] = v;
  return out;
}

const ATTACKER_USERS = ['ci-deployer', 'svc-backup', 'terraform-runner', 'build-agent', 'svc-reporting'];

interface Attacker {
  client: Client;
  userName: string;
}

export function simulateAdvisory(advisory: Advisory, opts: SimulateOptions): Simulation {
  const seed = opts.seed ?? advisory.metadata.uuid;
  const account = opts.account ?? '111122223333';
  const region = opts.region ?? 'us-east-1';
  const noiseCount = opts.noise ?? 500;
  const start = opts.start.getTime();
  if (!Number.isFinite(start)) throw new Error('simulate: start is not a valid date');
  if (!/^\d{12}$/.test(account)) throw new Error(`simulate: account must be 12 digits, got ${JSON.stringify(account)}`);
  if (!Number.isInteger(noiseCount) || noiseCount < 0) throw new Error(`simulate: noise must be a whole number >= 0, got ${noiseCount}`);
  const chain = advisory.advisory?.attack_chain;
  if (!Array.isArray(chain)) throw new Error('simulate: the advisory has no attack_chain');

  const r = new Rng(seed, 'attack');
  const userName = r.pick(ATTACKER_USERS);
  const cli = r.chance(0.6);
  const attacker: Attacker = {
    userName,
    client: {
      acct: account,
      identity: iamUserIdentity(account, userName, accessKey(r, 'AKIA')),
      ip: `203.0.113.${r.int(10, 250)}`,
      ua: cli ? (s, n) => UA.attackerCli(cliCommand(s, n)) : UA.attackerBoto,
      tls: TLS13,
    },
  };

  const records: Rec[] = [];
  const steps: SimulatedStep[] = [];
  const forbidden = new Set<string>();
  let t = start;
  let any = false;
  chain.forEach((step, i) => {
    if (i > 0) t += r.int(2, 6) * MINUTE + r.int(0, 59) * SECOND; // the next step begins a few minutes later
    const eventIDs: string[] = [];
    let first = true;
    for (const [j, call] of (step.calls ?? []).entries()) {
      const where = `step ${i + 1} (${step.name}) call ${j + 1}`;
      if (typeof call?.eventSource !== 'string' || typeof call.eventName !== 'string') throw new Error(`simulate: ${where} needs eventSource and eventName`);
      const count = call.count ?? 1;
      if (!Number.isInteger(count) || count < 1) throw new Error(`simulate: ${where}: count must be a whole number >= 1, got ${JSON.stringify(call.count)}`);
      forbidden.add(`${call.eventSource}|${call.eventName}`);
      for (let k = 0; k < count; k++) {
        if (!first) t += r.int(2, 20) * SECOND; // calls of a step are seconds apart
        first = false;
        const rec = playCall(r, attacker, t, region, call);
        records.push(rec);
        eventIDs.push(String(rec.eventID));
        any = true;
      }
    }
    steps.push({ index: i + 1, name: step.name, eventIDs });
  });
  const end = any ? t : start;

  const noise = generateNoise({
    seed,
    account,
    region,
    from: start - HOUR,
    to: end + HOUR,
    count: noiseCount,
    forbidden,
    describe: (nr, c, source, name, params) => describeCall(nr, { ...c, userName: '', principalArn: '' }, source, name, params),
  });
  const all = [...records, ...noise];
  const seen = new Set<string>();
  for (const rec of all) {
    const id = String(rec.eventID);
    if (seen.has(id)) throw new Error(`simulate: duplicate eventID ${id}`); // not expected from a 122-bit id; guards the seeding
    seen.add(id);
  }
  // Stable sort: records of the same second keep their generation order (attack first).
  all.sort((a, b) => (String(a.eventTime) < String(b.eventTime) ? -1 : String(a.eventTime) > String(b.eventTime) ? 1 : 0));
  return {
    records: all,
    steps,
    noiseEventIDs: noise.map((x) => String(x.eventID)),
    advisory: { uuid: advisory.metadata.uuid, name: advisory.name },
    seed,
    start: new Date(start).toISOString(),
    account,
    region,
  };
}

/** One call of the chain as a full record; switches the attacker's identity after a successful AssumeRole or ConsoleLogin. */
function playCall(r: Rng, attacker: Attacker, t: number, region: string, call: ChainCall): Rec {
  const { eventSource: source, eventName: name } = call;
  const client = attacker.client;
  const identity = client.identity as { type?: string; arn?: string; accountId?: string; userName?: string };
  const ctx: CallContext = { acct: client.acct, region: recordRegion(source, region), t, userName: attacker.userName, principalArn: String(identity.arn ?? '') };

  // requestParameters: defaults for the API, what the call gives merged over them
  const base = defaultParams(ctx, source, name, call.requestParameters);
  const params = call.requestParameters === undefined ? base : call.requestParameters === null ? null : deepMerge(base ?? {}, call.requestParameters);
  const spec: CallSpec = describeCall(r, ctx, source, name, params);
  const failed = call.errorCode !== undefined || call.errorMessage !== undefined;
  if (call.errorCode !== undefined) {
    spec.errorCode = call.errorCode;
    spec.errorMessage = call.errorMessage ?? defaultErrorMessage(ctx, source, name, call.errorCode, params, r);
    delete spec.sharedEventID;
  } else if (call.errorMessage !== undefined) spec.errorMessage = call.errorMessage;

  const isLogin = source === 'signin.amazonaws.com' && name === 'ConsoleLogin';
  let callClient = client;
  if (isLogin) {
    // The sign-in is made from a browser, by the principal without a key; a failure names the user only.
    const login: Rec = identity.type === 'IAMUser'
      ? failed
        ? { type: 'IAMUser', principalId: userId(client.acct, attacker.userName), accountId: client.acct, accessKeyId: '', userName: attacker.userName }
        : iamUserIdentity(client.acct, attacker.userName)
      : { ...client.identity, accessKeyId: '' };
    callClient = { ...client, identity: login, ua: UA.attackerBrowser, tls: null };
    if (failed && call.errorCode === undefined) spec.response = { ConsoleLogin: 'Failure' };
  } else if (client.console) {
    if (AWS_INTERNAL_SOURCES.has(source)) Object.assign(spec, { ip: 'AWS Internal', ua: 'AWS Internal', tls: null });
    else if (source === 's3.amazonaws.com') spec.ua = UA.s3Console;
  }

  const rec = makeRecord(r, callClient, t, region, spec);
  if (call.responseElements !== undefined) rec.responseElements = call.responseElements === null ? null : deepMerge(rec.responseElements ?? {}, call.responseElements);
  if (call.additionalEventData !== undefined) rec.additionalEventData = deepMerge(rec.additionalEventData ?? {}, call.additionalEventData);
  if (call.readOnly !== undefined) rec.readOnly = call.readOnly;
  if (call.eventType !== undefined) rec.eventType = call.eventType;
  for (const [k, v] of Object.entries(call)) if (!CALL_KEYS.has(k) && v !== undefined) rec[k] = deepMerge(rec[k], v);
  const out = ordered(rec);

  if (!failed) switchIdentity(r, attacker, out, t);
  return out;
}

function switchIdentity(r: Rng, attacker: Attacker, rec: Rec, t: number): void {
  const client = attacker.client;
  const resp = isPlainObject(rec.responseElements) ? rec.responseElements : {};
  if (rec.eventSource === 'sts.amazonaws.com' && rec.eventName === 'AssumeRole') {
    const p = isPlainObject(rec.requestParameters) ? rec.requestParameters : {};
    const role = typeof p.roleArn === 'string' ? parseRoleArn(p.roleArn) : undefined;
    if (!role) return;
    const session = typeof p.roleSessionName === 'string' ? p.roleSessionName : attacker.userName;
    const creds = isPlainObject(resp.credentials) ? resp.credentials : {};
    const key = typeof creds.accessKeyId === 'string' ? creds.accessKeyId : accessKey(r, 'ASIA');
    attacker.client = { ...client, acct: role.acct, identity: sessionIdentity(role.acct, role.role, session, { accessKeyId: key, created: t, path: role.path }) };
  } else if (rec.eventSource === 'signin.amazonaws.com' && rec.eventName === 'ConsoleLogin' && resp.ConsoleLogin !== 'Failure') {
    const extra = isPlainObject(rec.additionalEventData) ? rec.additionalEventData : {};
    const key = accessKey(r, 'ASIA');
    const current = client.identity as Rec & { type?: string };
    const identity = current.type === 'IAMUser'
      ? iamUserConsoleIdentity(client.acct, attacker.userName, key, t, extra.MFAUsed === 'Yes')
      : { ...current, accessKeyId: key };
    attacker.client = { ...client, identity, ua: UA.attackerBrowser, tls: TLS13, console: true };
  }
}

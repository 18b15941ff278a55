/**
 * Alert delivery to webhooks: a generic JSON body (the alert itself, or its OCSF Detection Finding) or a
 * Slack-compatible body (`text` plus Block Kit `blocks`, accepted by Slack incoming webhooks and by Mattermost,
 * Rocket.Chat and Teams workflows that take Slack payloads). Failures are retried with exponential backoff and jitter:
 * network errors, 408, 425, 429 (honouring Retry-After) and 5xx; other 4xx answers are final.
 */
import type { JsonObject } from '../sigma/fields.js';
import { isCorrelationAlert, ocsfFinding, type AnyAlert } from './ocsf.js';

export type WebhookFormat = 'json' | 'slack';

export interface WebhookOptions {
  url: string;
  format?: WebhookFormat;
  /** json format: send the OCSF Detection Finding instead of the Tideline alert. */
  ocsf?: boolean;
  /** Attempts in all (first try included). */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

const LEVEL_EMOJI: Record<string, string> = { critical: ':rotating_light:', high: ':red_circle:', medium: ':large_orange_circle:', low: ':large_yellow_circle:', informational: ':white_circle:' };
/** Slack mrkdwn: &, < and > must be escaped; nothing else is interpreted inside our text. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackBody(a: AnyAlert): JsonObject {
  const level = a.rule.level ?? 'unknown';
  const head = `${LEVEL_EMOJI[level] ?? ':grey_question:'} *${esc(a.rule.title)}* (${level})`;
  const fields: string[] = [];
  if (isCorrelationAlert(a)) {
    fields.push(`*Correlation*: ${a.rule.type}${a.value !== undefined ? ` = ${a.value}` : ''}`);
    fields.push(`*Window*: ${a.window.start} → ${a.window.end}`);
    const g = Object.entries(a.group).map(([k, v]) => `${k}=${v ?? '∅'}`).join(', ');
    if (g) fields.push(`*Group*: ${esc(g)}`);
    fields.push(`*Events*: ${a.events.length}`);
  } else {
    const e = a.event;
    const ui = (e.userIdentity ?? {}) as JsonObject;
    fields.push(`*Event*: ${esc(String(e.eventSource ?? '?'))} ${esc(String(e.eventName ?? '?'))}`);
    fields.push(`*Time*: ${a.time ?? '?'}`);
    fields.push(`*Account / region*: ${esc(String(e.recipientAccountId ?? ui.accountId ?? '?'))} / ${esc(String(e.awsRegion ?? '?'))}`);
    fields.push(`*Actor*: ${esc(String(ui.arn ?? ui.type ?? '?'))}`);
    if (typeof e.sourceIPAddress === 'string') fields.push(`*Source IP*: ${esc(e.sourceIPAddress)}`);
    if (typeof e.eventID === 'string') fields.push(`*eventID*: \`${esc(e.eventID)}\``);
  }
  return {
    text: `${a.rule.title} (${level})`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: head } },
      { type: 'section', fields: fields.slice(0, 10).map((text) => ({ type: 'mrkdwn', text })) },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Tideline · rule \`${a.rule.id}\`${a.rule.tags.length ? ' · ' + esc(a.rule.tags.join(' ')) : ''}` }] },
    ],
  };
}

export function webhookBody(a: AnyAlert, o: Pick<WebhookOptions, 'format' | 'ocsf'>): JsonObject {
  if (o.format === 'slack') return slackBody(a);
  return o.ocsf ? ocsfFinding(a) : (a as unknown as JsonObject);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RETRYABLE = (s: number) => s === 408 || s === 425 || s === 429 || s >= 500;

/** Delay before attempt n+1 (n ≥ 1): base·2^(n-1), capped, with ±20% jitter; Retry-After (seconds) wins when larger. */
export function backoffMs(n: number, base: number, max: number, retryAfter?: string | null): number {
  const exp = Math.min(max, base * 2 ** (n - 1));
  const jittered = exp * (0.8 + Math.random() * 0.4);
  const ra = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
  return Math.min(max, Math.max(jittered, ra));
}

export async function deliverWebhook(a: AnyAlert, o: WebhookOptions): Promise<DeliveryResult> {
  const attempts = o.attempts ?? 6;
  const base = o.baseDelayMs ?? 500;
  const max = o.maxDelayMs ?? 60_000;
  const body = JSON.stringify(webhookBody(a, o));
  let last: DeliveryResult = { ok: false, attempts: 0 };
  for (let n = 1; n <= attempts; n++) {
    let retryAfter: string | null = null;
    try {
      const res = await fetch(o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'tideline-webhook', ...o.headers },
        body,
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      last = { ok: res.ok, attempts: n, status: res.status };
      if (res.ok) return last;
      if (!RETRYABLE(res.status)) return { ...last, error: `HTTP ${res.status}` };
      last.error = `HTTP ${res.status}`;
      retryAfter = res.headers.get('retry-after');
    } catch (e) {
      last = { ok: false, attempts: n, error: (e as Error).message };
    }
    if (n < attempts) await sleep(backoffMs(n, base, max, retryAfter));
  }
  return last;
}

/** Delivers alerts in order, one at a time per webhook, without blocking the caller; `idle()` resolves when all are sent. */
export class WebhookQueue {
  private chain: Promise<void> = Promise.resolve();
  failures = 0;
  delivered = 0;
  constructor(
    private readonly hooks: WebhookOptions[],
    private readonly onFailure: (a: AnyAlert, hook: WebhookOptions, r: DeliveryResult) => void = () => {},
  ) {}

  push(alerts: AnyAlert[]): void {
    if (!this.hooks.length || !alerts.length) return;
    this.chain = this.chain.then(async () => {
      for (const a of alerts)
        for (const h of this.hooks) {
          const r = await deliverWebhook(a, h);
          if (r.ok) this.delivered++;
          else (this.failures++, this.onFailure(a, h, r));
        }
    });
  }

  idle(): Promise<void> {
    return this.chain;
  }
}

// End to end: the built CLI over the bundled sample trail, as a new user runs it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist/cli/main.js');
const SAMPLE = join(ROOT, 'content/samples/cloudtrail');
const manifest = JSON.parse(readFileSync(join(ROOT, 'content/samples/cloudtrail-attack.json'), 'utf8')) as {
  steps: { step: number; name: string; eventIDs: string[]; eventNames: string[] }[];
  expectedDetections: Record<string, string[]>;
};

// The three CloudTrail rules the sample's manifest was written for (the bundled library has more; see content tests).
const THREE_RULES = ['aws_cloudtrail_logging_stopped.yml', 'aws_cloudtrail_trail_deletion.yml', 'aws_cloudtrail_trail_modification.yml'].flatMap((f) => ['-r', join(ROOT, 'content/rules', f)]);
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
const jsonl = (s: string) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l));

beforeAll(() => {
  if (!existsSync(CLI)) spawnSync('npx', ['tsc', '-p', ROOT], { stdio: 'inherit' });
});

describe('tideline hunt over the bundled sample', () => {
  it('finds exactly the attack-chain events with the three bundled rules', () => {
    for (const workers of ['1', '2']) {
      const r = run('hunt', '--format', 'jsonl', '--workers', workers, ...THREE_RULES, SAMPLE);
      expect(r.status, r.stderr).toBe(0);
      const alerts = jsonl(r.stdout);
      const got: Record<string, string[]> = {};
      for (const a of alerts) (got[a.rule.id] ??= []).push(a.event.eventID);
      for (const ids of Object.values(got)) ids.sort();
      const want = Object.fromEntries(Object.entries(manifest.expectedDetections).map(([k, v]) => [k, [...v].sort()]));
      expect(got).toEqual(want);
      // Every alert carries rule, source provenance, matched values and the full event.
      for (const a of alerts) {
        expect(a.rule).toMatchObject({ id: expect.any(String), title: expect.any(String), level: expect.any(String) });
        expect(a.rule.tags).toContain('attack.t1562.008');
        expect(a.source.file).toMatch(/AWSLogs\/111122223333\/CloudTrail\/us-east-1\/.*\.json\.gz$/);
        expect(a.source.index).toBeGreaterThanOrEqual(0);
        expect(a.matched.eventSource).toBe('cloudtrail.amazonaws.com');
        expect(a.event.eventName).toBe(a.matched.eventName);
      }
    }
  });

  it('workers start before the rules load, yet a hunt that cannot run still ends at once with its error', () => {
    // Started workers must neither keep the process alive after a usage error nor lose a rule error.
    const opts = { cwd: ROOT, encoding: 'utf8' as const, timeout: 30000 };
    const unwritable = spawnSync(process.execPath, [CLI, 'hunt', '--workers', '2', '--output', join(ROOT, 'no-such-dir', 'x.jsonl'), SAMPLE], opts);
    expect(unwritable.status, unwritable.stderr).toBe(1);
    expect(unwritable.stderr).toMatch(/cannot write .*no-such-dir/);
    const noRules = spawnSync(process.execPath, [CLI, 'hunt', '--workers', '2', '--format', 'jsonl', '--rules', join(ROOT, 'no-such-rules'), SAMPLE], opts);
    expect(noRules.status, noRules.stderr).toBe(2);
    expect(noRules.stderr).toMatch(/no-such-rules.*cannot read/);
    expect(noRules.stderr).toMatch(/\d+ files, [1-9]\d* records, 0 alerts/);
  });

  it('covers each trail-tampering step of the attack chain', () => {
    const r = run('hunt', '--format', 'jsonl', SAMPLE);
    const ids = new Set(jsonl(r.stdout).map((a) => a.event.eventID));
    const tampering = manifest.steps.filter((s) => s.eventNames.some((n) => ['StopLogging', 'UpdateTrail', 'PutEventSelectors', 'DeleteTrail'].includes(n)));
    expect(tampering.length).toBeGreaterThanOrEqual(4);
    for (const s of tampering) {
      s.eventNames.forEach((n, i) => {
        if (['StopLogging', 'UpdateTrail', 'PutEventSelectors', 'DeleteTrail'].includes(n)) expect(ids.has(s.eventIDs[i]!), `step ${s.step} ${n}`).toBe(true);
      });
    }
  });

  it('source.index points at the record in its file', () => {
    const r = run('hunt', '--format', 'jsonl', SAMPLE);
    const a = jsonl(r.stdout)[0];
    const zlib = require('node:zlib') as typeof import('node:zlib');
    const recs = JSON.parse(zlib.gunzipSync(readFileSync(a.source.file)).toString()).Records;
    expect(recs[a.source.index].eventID).toBe(a.event.eventID);
  });

  it('honours --since/--until, --min-level and --tag', () => {
    const all = jsonl(run('hunt', '--format', 'jsonl', SAMPLE).stdout);
    const high = jsonl(run('hunt', '--format', 'jsonl', '--min-level', 'high', SAMPLE).stdout);
    expect(high.length).toBeGreaterThan(0);
    expect(high.length).toBeLessThan(all.length);
    expect(high.every((a) => a.rule.level === 'high')).toBe(true);
    const times = all.map((a) => a.time).sort();
    const cut = times[Math.floor(times.length / 2)];
    const late = jsonl(run('hunt', '--format', 'jsonl', '--since', cut, SAMPLE).stdout);
    expect(late.length).toBe(times.filter((t) => t >= cut).length);
    const early = jsonl(run('hunt', '--format', 'jsonl', '--until', cut, SAMPLE).stdout);
    expect(early.length + late.length).toBe(all.length);
    const under = (prefix: string) => all.filter((a) => a.rule.tags.some((t: string) => t === prefix || t.startsWith(`${prefix}.`))).length;
    expect(under('attack.t1562')).toBeGreaterThan(0);
    expect(under('attack.t1562')).toBeLessThan(all.length);
    expect(jsonl(run('hunt', '--format', 'jsonl', '--tag', 'attack.t1562', SAMPLE).stdout)).toHaveLength(under('attack.t1562'));
    expect(jsonl(run('hunt', '--format', 'jsonl', '--tag', 'attack.t1562.00', SAMPLE).stdout)).toHaveLength(0); // a prefix only on dot boundaries
    expect(jsonl(run('hunt', '--format', 'jsonl', '--tag', 'attack.t9999', SAMPLE).stdout)).toHaveLength(0);
  });

  it('writes csv, json and table, and --output/--stats files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-hunt-'));
    const n = jsonl(run('hunt', '--format', 'jsonl', SAMPLE).stdout).length;
    const json = run('hunt', '--format', 'json', SAMPLE);
    expect(JSON.parse(json.stdout)).toHaveLength(n);
    const csv = run('hunt', '--format', 'csv', SAMPLE).stdout.trim().split('\n');
    expect(csv[0]).toMatch(/^time,level,rule_id,rule_title,/);
    expect(csv).toHaveLength(n + 1);
    const table = run('hunt', '--format', 'table', SAMPLE).stdout.trim().split('\n');
    expect(table[0]).toMatch(/^TIME\s+LEVEL\s+RULE/);
    expect(table.slice(1).some((l) => l.includes('AWS CloudTrail Logging Stopped'))).toBe(true);
    const out = join(dir, 'alerts.jsonl');
    const stats = join(dir, 'stats.json');
    const r = run('hunt', '--output', out, '--stats', stats, SAMPLE);
    expect(r.stdout).toBe('');
    expect(jsonl(readFileSync(out, 'utf8'))).toHaveLength(n);
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    expect(s).toMatchObject({ alerts: n, errors: 0 });
    expect(s.records).toBeGreaterThan(1000);
  });

  it('prints a summary on stderr with files, records and alerts per rule', () => {
    const r = run('hunt', '--format', 'jsonl', SAMPLE);
    expect(r.stderr).toMatch(/tideline hunt: \d+ files, \d+ records, \d+ alerts, 0 errors/);
    expect(r.stderr).toContain('AWS CloudTrail Logging Stopped');
  });

  it('reads stdin as -', () => {
    const file = jsonl(run('hunt', '--format', 'jsonl', SAMPLE).stdout)[0].source.file;
    const r = spawnSync(process.execPath, [CLI, 'hunt', '--format', 'jsonl', '-'], { input: readFileSync(file), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(jsonl(r.stdout).length).toBeGreaterThan(0);
    expect(jsonl(r.stdout)[0].source.file).toBe('-');
  });
});

describe('tideline hunt --count', () => {
  const SIGMAHQ = ['-r', join(ROOT, '..', 'shared', 'sigma-aws-rules'), '-r', join(ROOT, 'content/rules')];
  const perRule = (alerts: { rule: { id: string } }[]) => {
    const m: Record<string, number> = {};
    for (const a of alerts) m[a.rule.id] = (m[a.rule.id] ?? 0) + 1;
    return m;
  };

  it('counts exactly the alerts the same hunt writes, per rule, every rule listed', () => {
    // The sample twice: the second copy's alerts are duplicates, so counting must deduplicate as writing does.
    const full = run('hunt', '--format', 'jsonl', ...SIGMAHQ, SAMPLE, SAMPLE);
    expect(full.status, full.stderr).toBe(0);
    const want = perRule(jsonl(full.stdout));
    expect(Object.keys(want).length).toBeGreaterThan(3);
    for (const workers of ['1', '2']) {
      const r = run('hunt', '--count', '--format', 'jsonl', '--workers', workers, ...SIGMAHQ, SAMPLE, SAMPLE);
      expect(r.status, r.stderr).toBe(0);
      const rows = jsonl(r.stdout) as { alerts: number; id: string; title: string; level: string; kind: string }[];
      const got = Object.fromEntries(rows.filter((x) => x.alerts > 0).map((x) => [x.id, x.alerts]));
      expect(got).toEqual(want);
      // every rule run is listed, zeros included, most alerts first
      const ran = Number(/rules: (\d+) run/.exec(r.stderr)![1]);
      expect(rows.length).toBe(ran);
      expect(rows.some((x) => x.alerts === 0)).toBe(true);
      expect(rows.map((x) => x.alerts)).toEqual([...rows.map((x) => x.alerts)].sort((a, b) => b - a));
      expect(r.stderr).toMatch(/duplicate alerts suppressed/);
    }
    const nodedup = run('hunt', '--count', '--no-dedup', '--format', 'jsonl', ...SIGMAHQ, SAMPLE, SAMPLE);
    const doubled = Object.fromEntries((jsonl(nodedup.stdout) as { alerts: number; id: string }[]).filter((x) => x.alerts > 0).map((x) => [x.id, x.alerts]));
    expect(doubled).toEqual(Object.fromEntries(Object.entries(want).map(([k, v]) => [k, 2 * v])));
  });

  it('counts correlation alerts too, as rows of kind correlation', () => {
    const corr = ['-r', join(ROOT, 'content/rules'), '-r', join(ROOT, 'test/fixtures/correlation/aws_cloudtrail_stop_then_delete.yml')];
    const written = jsonl(run('hunt', '--format', 'jsonl', ...corr, SAMPLE).stdout).filter((a) => a.rule.type === 'temporal_ordered');
    expect(written.length).toBeGreaterThan(0);
    const rows = jsonl(run('hunt', '--count', '--format', 'jsonl', ...corr, SAMPLE).stdout) as { alerts: number; id: string; kind: string }[];
    const row = rows.find((x) => x.kind === 'correlation')!;
    expect(row.id).toBe(written[0].rule.id);
    expect(row.alerts).toBe(written.length);
  });

  it('writes the counts as csv, json and table', () => {
    const rows = jsonl(run('hunt', '--count', '--format', 'jsonl', ...THREE_RULES, SAMPLE).stdout);
    const csv = run('hunt', '--count', '--format', 'csv', ...THREE_RULES, SAMPLE).stdout.trim().split('\n');
    expect(csv[0]).toBe('alerts,level,rule_id,rule_title,kind');
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(rows.map((x) => `${x.alerts},${x.level},${x.id}`));
    expect(JSON.parse(run('hunt', '--count', '--format', 'json', ...THREE_RULES, SAMPLE).stdout)).toEqual(rows);
    const table = run('hunt', '--count', '--format', 'table', ...THREE_RULES, SAMPLE).stdout;
    for (const x of rows) expect(table).toMatch(new RegExp(`\\s${x.alerts}\\s+${x.level}\\s+${x.title}`));
  });
});

describe('tideline rules lint', () => {
  it('passes the 57 SigmaHQ rules and the bundled rules', () => {
    const r = run('rules', 'lint', join(ROOT, '../shared/sigma-aws-rules'));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain('57 detection rules');
    expect(run('rules', 'lint', '--strict').status).toBe(0);
  });

  it('explains every extra rule it cannot load, and exits 2', () => {
    const r = run('rules', 'lint', join(ROOT, '../shared/sigma-aws-rules-extra'));
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/aws_enum_backup\.yml:\d+:\d+: error: Sigma 1 aggregation '\| count\(\) > 5'/);
    expect(r.stdout).toMatch(/console_login_success_from_susp_locations\.yml:\d+:\d+: error: placeholder %Legitimate_Countries%/);
  });
});

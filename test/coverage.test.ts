// simulate → coverage: an advisory's chain played as CloudTrail, and the content's rules measured on it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadContent } from '../src/content/load.js';
import { measureCoverage } from '../src/content/coverage.js';
import type { Advisory } from '../src/content/model.js';
import { removeDir, ROOT, tempDir } from './helpers/cloudtrail.js';

const CLI = join(ROOT, 'dist/cli/main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
const dirs: string[] = [];
const tmp = (p: string) => (dirs.push(tempDir(p)), dirs[dirs.length - 1]!);
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

const SLUG = 'aws-cloudtrail-logging-disabled';

describe('coverage of the bundled advisories', () => {
  const set = loadContent(join(ROOT, 'content'));
  const advisories = set.objects.filter((o) => o.kind === 'advisory');

  it('every step of every bundled advisory that produces CloudTrail events is detected, with no alert on the noise', () => {
    expect(advisories.length).toBeGreaterThanOrEqual(3);
    for (const a of advisories) {
      const c = measureCoverage(a.doc as Advisory, set.rules.rules);
      expect(c.steps.filter((s) => s.status === 'gap').map((s) => `${a.name}: ${s.name}`)).toEqual([]);
      expect(c.stepsWithEvents).toBeGreaterThanOrEqual(3);
      expect(c.noise).toEqual([]);
    }
  });

  it('the CloudTrail advisory: steps 2-5 and 7 detected by the rules made for them, steps 1 and 6 without events', () => {
    const a = advisories.find((o) => (o.doc as Advisory).advisory.slug === SLUG)!;
    const c = measureCoverage(a.doc as Advisory, set.rules.rules, { seed: 'another seed' });
    expect(c.steps.map((s) => s.status)).toEqual(['no-events', 'covered', 'covered', 'covered', 'covered', 'no-events', 'covered']);
    const titles = (i: number) => c.steps[i]!.rules.map((r) => r.title);
    expect(titles(2)).toContain('AWS CloudTrail Logging Stopped');
    expect(titles(3)).toContain('AWS CloudTrail Trail Modification');
    expect(titles(4)).toContain('AWS CloudTrail Trail Deletion');
    expect(c.steps[1]!.missed.map((m) => m.eventName)).toEqual(['GetCallerIdentity']); // listed, not hidden
    // Step 7 (the remaining logs deleted or expired) is also caught by the built-in trail-posture detection.
    expect(c.steps[6]!.builtin.map((b) => b.title)).toEqual(['CloudTrail trail weakened']);
    expect(c.steps[6]!.builtin[0]!.events).toBe(c.steps[6]!.events);
    expect(c.steps[1]!.builtin).toEqual([]);
  });

  it('a rule taken away leaves a gap, and `coverage` says so', () => {
    const content = tmp('gap');
    cpSync(join(ROOT, 'content'), content, { recursive: true, filter: (s) => !s.includes('samples') });
    // The sign-in step has no built-in detection behind it: without its rule it is a gap.
    rmSync(join(content, 'rules/aws_console_login_without_mfa.yml'));
    rmSync(join(content, 'rules/aws_console_login_without_mfa.tests.yml'));
    rmSync(join(content, 'detection-rules/AWS console sign-in without MFA.yaml'));
    const r = run('coverage', SLUG, '--from', content);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^\s+2\. GAP\s+Authenticate with the stolen credentials/m);
    expect(r.stdout).toMatch(/missed signin:ConsoleLogin/);
    expect(r.stderr).toMatch(/4 of 5 steps with CloudTrail events detected, 1 gaps/);
    expect(JSON.parse(run('coverage', SLUG, '--from', content, '--format', 'json').stdout)[0].steps[1].status).toBe('gap');
  });
});

describe('tideline simulate', () => {
  it('writes an S3 export tree that hunt reads, and coverage measured on it equals coverage in memory', () => {
    const out = join(tmp('sim'), 'run');
    const s = run('simulate', SLUG, '--out', out, '--start', '2026-03-01T10:00:00Z', '--seed', 'ci');
    expect(s.status, s.stderr).toBe(0);
    expect(s.stderr).toMatch(/\d+ attack events in 5 steps, 500 benign events; \d+ CloudTrail files and simulation\.json/);
    const manifest = JSON.parse(readFileSync(join(out, 'simulation.json'), 'utf8'));
    expect(manifest.steps).toHaveLength(7);
    expect(existsSync(join(out, 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/01'))).toBe(true);

    const onDisk = run('coverage', SLUG, '--events', out, '--format', 'json');
    expect(onDisk.status, onDisk.stderr).toBe(0);
    const inMemory = run('coverage', SLUG, '--seed', 'ci', '--format', 'json');
    const a = JSON.parse(onDisk.stdout)[0];
    expect(a.steps.map((x: { status: string }) => x.status)).toEqual(['no-events', 'covered', 'covered', 'covered', 'covered', 'no-events', 'covered']);
    const shape = (steps: { status: string; events: number; rules: unknown[] }[]) => steps.map((x) => ({ status: x.status, events: x.events, rules: x.rules }));
    expect(shape(a.steps)).toEqual(shape(JSON.parse(inMemory.stdout)[0].steps));

    // The hunt over the simulated tree alerts exactly on the attack events of the detected steps.
    const hunt = run('hunt', '-f', 'jsonl', out);
    expect(hunt.status, hunt.stderr).toBe(0); // simulation.json is skipped, not an error
    const alerts = hunt.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const attack = new Set<string>(manifest.steps.flatMap((x: { eventIDs: string[] }) => x.eventIDs));
    expect(alerts.length).toBeGreaterThan(0);
    for (const al of alerts) expect(attack.has(al.event.eventID), al.event.eventName).toBe(true);
  });

  it('is deterministic for a seed and start, and writes NDJSON to stdout without --out', () => {
    const a = run('simulate', SLUG, '--start', '2026-03-01T10:00:00Z', '--seed', 'x', '--noise', '50');
    const b = run('simulate', SLUG, '--start', '2026-03-01T10:00:00Z', '--seed', 'x', '--noise', '50');
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const recs = a.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(recs.length).toBeGreaterThan(50);
    expect(recs.map((r) => r.eventName)).toContain('StopLogging');
    const c = run('simulate', SLUG, '--start', '2026-03-01T10:00:00Z', '--seed', 'y', '--noise', '50');
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('rejects unknown advisories, bad flags and a non-empty output directory with one clear line', () => {
    expect(run('simulate', 'nope').stderr).toMatch(/^tideline: no advisory 'nope' in the content \(known: .*aws-cloudtrail-logging-disabled/);
    expect(run('simulate', SLUG, '--start', 'yesterday').stderr).toBe("tideline: --start: 'yesterday' is not an ISO-8601 date-time\n");
    expect(run('simulate', SLUG, '--noise', '-3').status).toBe(1);
    const r = run('simulate', SLUG, '--out', join(ROOT, 'content'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is not empty/);
  });
});

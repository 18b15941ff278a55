// `tideline test`: bundled rules and the SigmaHQ regression corpus through one format, with reasons and JUnit XML.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { removeDir, ROOT, tempDir } from './helpers/cloudtrail.js';

const CLI = join(ROOT, 'dist/cli/main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
let dir: string | undefined;
afterEach(() => removeDir(dir));

/** The few facts of a JUnit file that CI servers read. */
function junit(xml: string) {
  const attr = (tag: string, name: string) => Number(new RegExp(`<${tag}\\b[^>]*\\b${name}="(\\d+)"`).exec(xml)?.[1]);
  return {
    tests: attr('testsuites', 'tests'),
    failures: attr('testsuites', 'failures'),
    suites: (xml.match(/<testsuite\b/g) ?? []).length,
    cases: (xml.match(/<testcase\b/g) ?? []).length,
    failureTags: (xml.match(/<failure\b/g) ?? []).length,
  };
}

describe('tideline test', () => {
  it('passes every bundled rule test, one line per rule', () => {
    dir = tempDir('junit');
    const xmlFile = join(dir, 'junit.xml');
    const r = run('test', '--strict', '--junit', xmlFile);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(11);
    for (const l of lines) expect(l).toMatch(/^PASS {5}\S.* \(\d+ match, \d+ nomatch\)$/);
    expect(r.stderr).toMatch(/tideline test: (\d+) rules tested, (\d+) cases: \2 passed, 0 failed; 0 rules without tests/);
    const x = junit(readFileSync(xmlFile, 'utf8'));
    expect(x.suites).toBe(lines.length);
    expect(x.failures).toBe(0);
    expect(x.cases).toBe(x.tests);
    expect(readFileSync(xmlFile, 'utf8')).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
  });

  it('runs the 57 SigmaHQ rules against their fixtures through the same format', () => {
    const r = run('test', join(ROOT, '../shared/sigma-aws-rules'), join(ROOT, 'test/fixtures/sigmahq'));
    expect(r.status, r.stdout.split('\n').filter((l) => !l.startsWith('PASS')).join('\n')).toBe(0);
    expect(r.stderr).toMatch(/57 rules tested, \d+ cases: \d+ passed, 0 failed; 0 rules without tests/);
  });

  it('fails with the reason: which selections held and the event values', () => {
    dir = tempDir('failing');
    cpSync(join(ROOT, 'content/rules'), dir, { recursive: true });
    const f = join(dir, 'aws_cloudtrail_logging_stopped.tests.yml');
    const t = parse(readFileSync(f, 'utf8'));
    t.match[0].event.eventName = 'StartLogging'; // now a false "true positive"
    t.nomatch[0].event = { ...t.match[1].event }; // and a "false positive" that matches
    writeFileSync(f, JSON.stringify(t));
    const xmlFile = join(dir, 'j.xml');
    const r = run('test', dir, '--junit', xmlFile);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^FAIL {5}AWS CloudTrail Logging Stopped/m);
    expect(r.stdout).toMatch(/✗ match: .*\n\s+expected a match, the condition was false; selections that held: none; that did not: selection \(event has eventSource="cloudtrail\.amazonaws\.com", eventName="StartLogging"\)/);
    expect(r.stdout).toMatch(/✗ nomatch: .*\n\s+expected no match, the rule matched; selections that held: selection \(event has .*eventName="StopLogging"/);
    expect(r.stderr).toMatch(/2 failed/);
    const x = junit(readFileSync(xmlFile, 'utf8'));
    expect(x.failures).toBe(2);
    expect(x.failureTags).toBe(2);
    expect(readFileSync(xmlFile, 'utf8')).toContain('message="expected a match, the condition was false');
  });

  it('reports tests naming no rule and rules without tests; --strict fails on the latter', () => {
    dir = tempDir('orphans');
    cpSync(join(ROOT, 'content/rules/aws_cloudtrail_trail_deletion.yml'), join(dir, 'a.yml'));
    cpSync(join(ROOT, 'content/rules/aws_cloudtrail_logging_stopped.tests.yml'), join(dir, 'b.tests.yml'));
    const r = run('test', dir);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^NO TESTS AWS CloudTrail Trail Deletion/m);
    expect(r.stdout).toMatch(/^NO RULE {2}\(rule not found\) .*name rule b1315214-edda-4aba-be40-f8032165a3d5/m);
    const only = tempDir('untested');
    try {
      cpSync(join(ROOT, 'content/rules/aws_cloudtrail_trail_deletion.yml'), join(only, 'a.yml'));
      expect(run('test', only).status).toBe(0);
      expect(run('test', '--strict', only).status).toBe(2);
    } finally {
      removeDir(only);
    }
  });

  it('names a malformed test file and carries on', () => {
    dir = tempDir('malformed');
    cpSync(join(ROOT, 'content/rules'), dir, { recursive: true });
    writeFileSync(join(dir, 'broken.tests.yml'), 'match: nope\n');
    const r = run('test', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/broken\.tests\.yml: error: 'rule' must name the tested rule's id/);
    expect(r.stdout).toMatch(/^PASS/m);
  });
});

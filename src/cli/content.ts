/** `tideline validate` and `tideline test`: content checked the way CI should check it. */
import { writeFileSync } from 'node:fs';
import { formatDiagnostic } from '../sigma/diagnostics.js';
import { loadContent } from '../content/load.js';
import { validateContent } from '../content/validate.js';
import { runSuite, toJUnit } from '../detect/test-suite.js';
import { bundledContentDir } from '../paths.js';
import { UsageError } from './io.js';

export function validateCommand(dirs: string[], flags: { strict?: boolean; quiet?: boolean; format?: string }): number {
  const set = loadContent(dirs.length ? dirs : [bundledContentDir()]);
  const report = validateContent(set);
  const shown = report.diagnostics.filter((d) => !flags.quiet || d.severity === 'error');
  if (flags.format === 'json') process.stdout.write(JSON.stringify({ ...report, diagnostics: shown }, null, 2) + '\n');
  else for (const d of shown) process.stdout.write(formatDiagnostic(d) + '\n');
  const c = report.counts;
  process.stderr.write(
    `tideline validate: ${c.advisory} advisories, ${c.tvm} TVMs, ${c.dom} DOMs, ${c.mdr} MDRs${c.cdm ? `, ${c.cdm} CDMs` : ''}, ${c.rule} rules, ${c.test} rule tests; ` +
      `${report.errors} errors, ${report.warnings} warnings\n`,
  );
  return report.errors || (flags.strict && report.warnings) ? 2 : 0;
}

export function testCommand(paths: string[], flags: { junit?: string; strict?: boolean; verbose?: boolean }): number {
  const set = loadContent(paths.length ? paths : [bundledContentDir()]);
  const loadErrors = [...set.diagnostics, ...set.rules.diagnostics].filter((d) => d.severity === 'error');
  for (const d of loadErrors) process.stderr.write(formatDiagnostic(d) + '\n');
  const report = runSuite(set.rules.rules, set.ruleTests);
  const out: string[] = [];
  for (const r of report.rules) {
    const m = r.results.filter((x) => x.case.expect === 'match').length;
    const n = r.results.length - m;
    const label = { pass: 'PASS', fail: 'FAIL', untested: 'NO TESTS', 'missing-rule': 'NO RULE' }[r.status];
    const detail = r.status === 'missing-rule' ? `tests in ${r.files.join(', ')} name rule ${r.ruleId}, which is not loaded` : r.status === 'untested' ? `${r.rule?.file}` : `${m} match, ${n} nomatch`;
    out.push(`${label.padEnd(8)} ${r.title}  (${detail})`);
    for (const res of r.results) {
      if (!res.passed) out.push(`         ✗ ${res.case.expect}: ${res.case.name}\n           ${res.reason}`);
      else if (flags.verbose) out.push(`         ✓ ${res.case.expect}: ${res.case.name}`);
    }
  }
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
  if (flags.junit) {
    try {
      writeFileSync(flags.junit, toJUnit(report));
    } catch (e) {
      throw new UsageError(`cannot write ${flags.junit}: ${(e as Error).message}`);
    }
  }
  const tested = report.rules.filter((r) => r.status === 'pass' || r.status === 'fail').length;
  process.stderr.write(
    `tideline test: ${tested} rules tested, ${report.cases} cases: ${report.passed} passed, ${report.failed} failed; ` +
      `${report.untested} rules without tests, ${report.missingRules} test files naming no loaded rule, ${loadErrors.length} load errors\n`,
  );
  return report.failed || report.missingRules || loadErrors.length || (flags.strict && report.untested) ? 2 : 0;
}

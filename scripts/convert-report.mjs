#!/usr/bin/env node
// Prints the README's "rules that do not convert" tables from the real converter (run `npm run build` first):
//   node scripts/convert-report.mjs [TARGET...]     (default: every target)
// Rules: SigmaHQ's AWS set (../shared/sigma-aws-rules) and the bundled content (content/rules).
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules } from '../dist/sigma/load.js';
import { convertRule, TARGETS, findTarget } from '../dist/convert/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sets = [loadRules([join(root, '../shared/sigma-aws-rules')]), loadRules([join(root, 'content/rules')])];
const rules = sets.flatMap((s) => s.rules.map((r) => ({ r, filters: s.filters })));
const targets = process.argv.length > 2 ? process.argv.slice(2).map(findTarget) : TARGETS;
const cell = (s) => String(s).replaceAll('|', '\\|').replaceAll('\n', ' ');

const summary = [];
const sections = [];
for (const t of targets) {
  const convs = rules.map(({ r, filters }) => convertRule(r, t, filters));
  const failed = convs.filter((c) => c.error);
  summary.push(`| \`${t.name}\` | ${convs.length - failed.length} of ${convs.length} |`);
  let s = `#### \`${t.name}\`: ${convs.length - failed.length} of ${convs.length} rules convert\n\n`;
  if (failed.length === 0) s += 'Every rule converts.\n';
  else {
    s += '| Rule | Construct | Reason |\n|---|---|---|\n';
    for (const c of failed) s += `| \`${basename(c.file)}\` | ${cell(c.construct)} | ${cell(c.error)} |\n`;
  }
  sections.push(s);
}
process.stdout.write(`| Target | Rules converted |\n|---|---|\n${summary.join('\n')}\n\n${sections.join('\n')}`);

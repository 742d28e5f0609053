// vigil rules test [PATH…]: runs every rule's test events and prints pass / fail per rule, then totals.
import type { LoadOptions } from '../detect/rules.js';
import { runRuleTests } from '../detect/ruletest.js';

export function ruleTest(paths: string[], options: LoadOptions = {}, out: NodeJS.WritableStream = process.stdout): number {
  const report = runRuleTests(paths, options);
  let passed = 0;
  let failed = 0;
  let cases = 0;
  for (const r of report.results) {
    cases += r.cases.length;
    const bad = r.cases.filter((c) => !c.ok);
    if (bad.length === 0) passed++;
    else failed++;
    out.write(`${bad.length === 0 ? 'pass' : 'FAIL'}  ${r.rule}  (${r.file}, ${r.cases.length} cases)\n`);
    for (const c of bad) out.write(`        ${c.kind} "${c.name}": ${c.message}\n`);
  }
  for (const u of report.untested) out.write(`untested  ${u.rule}  (${u.file})\n`);
  for (const e of report.errors) out.write(`error  ${e}\n`);
  out.write(
    `\n${report.results.length} rules tested: ${passed} passed, ${failed} failed; ${cases} cases; ` +
      `${report.untested.length} untested; ${report.errors.length} errors\n`,
  );
  return failed > 0 || report.errors.length > 0 ? 1 : 0;
}

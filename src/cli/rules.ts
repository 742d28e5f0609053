// vigil rules lint DIR…: per file ok / rejected (why) / unsupported (what), then totals.
import { describeGaps } from '../detect/wcs-gaps.js';
import { loadRules, refusalCounts, type LoadOptions, type RuleProblem } from '../detect/rules.js';

/** A file is "rejected" if any of its documents is, else "unsupported" if any is, else "ok". */
export function lint(paths: string[], options: LoadOptions = {}, out: { write(s: string): unknown } = process.stdout): number {
  const set = loadRules(paths, process.cwd(), options);
  // Problems carry the file name exactly as set.files lists it, so grouping is by equality.
  const byFile = new Map<string, RuleProblem[]>();
  for (const p of set.problems) {
    const list = byFile.get(p.file) ?? [];
    list.push(p);
    byFile.set(p.file, list);
  }
  const counts = { ok: 0, rejected: 0, unsupported: 0 };
  const seen = new Set<string>();
  for (const file of [...set.files, ...byFile.keys()]) {
    if (seen.has(file)) continue;
    seen.add(file);
    const problems = byFile.get(file) ?? [];
    if (problems.length === 0) {
      counts.ok++;
      out.write(`ok           ${file}\n`);
      continue;
    }
    counts[problems.some((p) => p.kind === 'rejected') ? 'rejected' : 'unsupported']++;
    for (const p of problems) out.write(`${p.kind.padEnd(12)} ${file}${p.rule ? ` (${p.rule})` : ''}: ${p.message}\n`);
  }
  // Not problems (the rules load and run on 4.x alerts), but what a Wazuh 5.x operator must know.
  const gaps = set.rules.filter((r) => r.wcsGaps.length > 0);
  for (const r of gaps) out.write(`${'5.x gap'.padEnd(12)} ${r.ref.source ?? '?'} (${r.ref.title}): ${describeGaps(r.wcsGaps)}\n`);
  const detections = set.rules.filter((r) => r.kind === 'detection').length;
  const correlations = set.rules.length - detections;
  const filters = set.filters?.length ?? 0;
  out.write(
    `\n${seen.size} files: ${counts.ok} ok, ${counts.rejected} rejected, ${counts.unsupported} unsupported` +
      ` (${detections} detection rules, ${correlations} correlations, ${filters} filters loaded)` +
      (gaps.length > 0 ? `; ${gaps.length} rules do not run fully on Wazuh 5.x input (5.x gap)` : '') +
      '\n',
  );
  const reasons = refusalCounts(set.problems);
  if (reasons.length > 0) out.write(`refused by reason: ${reasons.map(([r, n]) => `${r} ${n}`).join(', ')}\n`);
  return counts.rejected + counts.unsupported > 0 ? 1 : 0;
}

// vigil rules lint DIR…: per file ok / rejected (why) / unsupported (what), then totals.
import { loadRules } from '../detect/rules.js';

export function lint(paths: string[], out = process.stdout): number {
  const set = loadRules(paths);
  const byFile = new Map<string, string[]>();
  for (const p of set.problems) {
    const list = byFile.get(p.file) ?? [];
    list.push(`${p.kind}: ${p.message}${p.rule ? ` (${p.rule})` : ''}`);
    byFile.set(p.file, list);
  }
  let ok = 0;
  let rejected = 0;
  let unsupported = 0;
  const files = set.files.map((f) => f);
  for (const file of files) {
    const rel = set.problems.find((p) => file.endsWith(p.file) || p.file.endsWith(file))?.file;
    const problems = rel ? byFile.get(rel) ?? [] : [];
    if (problems.length === 0) {
      ok++;
      out.write(`ok           ${file}\n`);
    } else {
      if (problems.some((p) => p.startsWith('rejected'))) rejected++;
      else unsupported++;
      for (const p of problems) out.write(`${p.split(':')[0]!.padEnd(12)} ${file}: ${p.slice(p.indexOf(':') + 2)}\n`);
    }
  }
  out.write(`\n${files.length} files: ${ok} ok, ${rejected} rejected, ${unsupported} unsupported\n`);
  return rejected + unsupported > 0 ? 1 : 0;
}

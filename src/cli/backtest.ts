// vigil rules backtest [--rules DIR] [--filters FILE] [--since 30d]: the stored alerts of the window (in the
// configured database) through the configured rules and, beside them, through the proposed rules (--rules
// replaces the rule paths) and/or filters (--filters adds them). Prints per rule the incidents that would vanish
// and appear. Reads the store, changes nothing in it (src/tuning/backtest.ts).
import { systemClock } from '../clock.js';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../config/fragments.js';
import { refusalSummary } from '../detect/rules.js';
import { createLogger } from '../log.js';
import { openDatabase } from '../store/db.js';
import { backtest, type BacktestResult, type IncidentSketch } from '../tuning/backtest.js';
import { FilterError } from '../tuning/filters.js';
import { Tuning } from '../tuning/service.js';
import { RuleModes } from '../store/rule-modes.js';
import { loadConfiguredRules, ruleLoad } from '../detect/configured.js';
import { oneLine } from '../model/one-line.js';

export interface BacktestCliOptions {
  rules: string[];
  filters?: string;
  since: string;
  json?: boolean;
}

type Out = { write(s: string): unknown };

export async function backtestCli(config: Config, o: BacktestCliOptions, out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  let window: number;
  try {
    window = parseDuration(o.since);
  } catch {
    err.write(`vigil: --since: expected a duration such as 30d, 12h or 90m, got "${o.since}"\n`);
    return 1;
  }
  if (!o.filters && o.rules.length === 0) {
    err.write('vigil: give the proposal to test: --filters FILE (Sigma filters added to the rules) and/or --rules DIR (rules instead of the configured ones)\n');
    return 1;
  }
  const log = createLogger({ ...config.log, level: 'warn', format: 'json' }, err as never);
  const load = { placeholders: config.detect.placeholders };
  const current = loadConfiguredRules(ruleLoad(config), load);
  const store = await openDatabase(config.database.url);
  try {
    const tuning = new Tuning({ config, db: store.db, rules: current, ruleModes: new RuleModes(store.db), log });
    let proposed;
    try {
      proposed = tuning.proposedRules(o.filters ? readFileSync(o.filters, 'utf8') : undefined, o.rules.length > 0 ? o.rules : undefined);
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      err.write(`vigil: ${o.filters}: ${e.message}\n`);
      return 1;
    }
    if (proposed.problems.length > 0) err.write(`proposed rules: ${refusalSummary(proposed.problems)}\n`);
    const result = await backtest(store.db, { config, current, proposed, since: systemClock() - window, log });
    out.write(o.json ? JSON.stringify(result) + '\n' : backtestText(result));
    return 0;
  } finally {
    await store.close();
  }
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const entity = (s: IncidentSketch) =>
  Object.entries(s.entity)
    .map(([k, v]) => `${oneLine(k)}=${oneLine(v)}`)
    .join(' ');

/** The difference as people read it: totals, then per rule with a difference the incidents that vanish and appear. */
export function backtestText(r: BacktestResult): string {
  const lines: string[] = [];
  lines.push(`window ${iso(r.since)} .. ${iso(r.until)}: ${r.alerts} stored alerts replayed (${r.parsed} parsed, ${r.unreadable} unreadable) in ${r.seconds.toFixed(2)} s (${r.cpuSeconds.toFixed(2)} CPU s)`);
  lines.push(`rules replayed: ${r.replayedRules} of ${r.totalRules} (those the proposal changes, with the rules they read and the correlations reading them; the others cannot differ)`);
  lines.push(`incidents: ${r.totals.current} with the rules in force, ${r.totals.proposed} with the proposal (${r.totals.vanished} would vanish, ${r.totals.appeared} would appear)`);
  const differing = r.rules.filter((d) => d.vanishedCount + d.appearedCount + d.changed > 0);
  if (differing.length === 0) lines.push('no difference in incidents');
  for (const d of differing) {
    lines.push('');
    lines.push(`${oneLine(d.title)} [${oneLine(d.ruleId)}]: ${d.current} -> ${d.proposed} incidents${d.changed > 0 ? `, ${d.changed} with other event counts` : ''}`);
    for (const s of d.vanished) lines.push(`  - vanishes  ${iso(s.firstSeen)}  ${entity(s)}  (${s.events} events)`);
    if (d.vanishedCount > d.vanished.length) lines.push(`  - … ${d.vanishedCount - d.vanished.length} more vanish`);
    for (const s of d.appeared) lines.push(`  + appears   ${iso(s.firstSeen)}  ${entity(s)}  (${s.events} events)`);
    if (d.appearedCount > d.appeared.length) lines.push(`  + … ${d.appearedCount - d.appeared.length} more appear`);
  }
  const unchanged = r.rules.filter((d) => d.vanishedCount + d.appearedCount + d.changed === 0);
  if (unchanged.length > 0) {
    lines.push('');
    lines.push(`unchanged: ${unchanged.map((d) => `${d.title} (${d.current})`).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

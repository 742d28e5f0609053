// Backtest speed (`npm run bench:backtest`): `--alerts` SYNTHETIC alerts of the benchmark mix (bench/detect/alerts.ts:
// Windows, sshd, FIM and web alerts, a few 4625 bursts among them) recorded into a fresh SQLite store, then replayed
// by the backtest through the built-in rules and through them with a filter, side by side (two in-memory
// pipelines): once replaying only the rules the filter changes (what the backtest does), once every rule. Prints
// alerts per wall second and per CPU second (all threads of the process), and the difference found. Asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { configSchema } from '../src/config/schema.js';
import { loadRules } from '../src/detect/rules.js';
import { createLogger } from '../src/log.js';
import { BUILTIN_RULES } from '../src/paths.js';
import { recordAlerts, type AlertRecord } from '../src/store/alerts.js';
import { openDatabase } from '../src/store/db.js';
import { backtest } from '../src/tuning/backtest.js';
import { alertLines } from './detect/alerts.js';

const { values: args } = parseArgs({ options: { alerts: { type: 'string', default: '200000' } } });
const N = Number(args.alerts);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Filters the failed logons from half of one attacking range: a change the backtest has to find in the brute-force incidents. */
const FILTER = `title: Not the failures from 198.51.100.0/25
logsource: {product: windows, service: security}
filter:
  rules: [windows_failed_logon]
  selection: {IpAddress|cidr: 198.51.100.0/25}
  condition: not selection
`;

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-backtest-'));
try {
  const store = await openDatabase(join(dir, 'vigil.db'));
  const lines = alertLines(N);
  for (let i = 0; i < lines.length; i += 1000) {
    const batch: AlertRecord[] = lines.slice(i, i + 1000).map((body, j) => ({ key: `bench/${i + j}`, eventId: `e${i + j}`, format: 'wazuh', source: 'bench', body }));
    await recordAlerts(store.db, batch);
  }
  const config = configSchema.parse({});
  const current = loadRules([BUILTIN_RULES]);
  const proposed = loadRules([BUILTIN_RULES], process.cwd(), {}, [{ file: 'bench-filter.yml', text: FILTER }]);
  if (proposed.problems.length > 0) throw new Error(`the bench filter was refused: ${proposed.problems[0]!.message}`);
  const log = createLogger({ ...config.log, level: 'warn', format: 'json' });
  console.log(`${fmt(N)} SYNTHETIC stored alerts, the built-in rules against them with one filter on windows_failed_logon:`);
  for (const all of [false, true]) {
    const r = await backtest(store.db, { config, current, proposed, since: 0, log, all });
    console.log(
      `  ${all ? 'every rule replayed      ' : 'only the changed rules   '} ${r.replayedRules}/${r.totalRules} rules, ${fmt(r.parsed)} alerts parsed: ` +
        `wall ${r.seconds.toFixed(2)} s (${fmt(r.alerts / r.seconds)} alerts/s), CPU ${r.cpuSeconds.toFixed(2)} s (${fmt(r.alerts / r.cpuSeconds)} alerts per CPU second); ` +
        `incidents ${r.totals.current} -> ${r.totals.proposed} (${r.totals.vanished} vanish, ${r.totals.appeared} appear)`,
    );
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

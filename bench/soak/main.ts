// The soak benchmark: a long stream of SYNTHETIC Wazuh alerts (bench/detect/alerts.ts mix) whose event times span
// `--days` days, with a brute force from a new source address every so often (`--incidents` of them in all), posted
// as NDJSON batches to a real Vigil (SQLite in a temp folder unless --database, built-in rules, default retention).
// Vigil runs on a simulated clock that follows the event time of what it is sent, so its retention sees the
// stream's 30 days go by. Prints, per million alerts: the rate, disk use, RSS, stored alerts and incidents; at the
// end the last million's rate against the first and the growth of disk and RSS once retention was reached.
// Asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Pool } from 'undici';
import { configSchema } from '../../src/config/schema.js';
import { createVigil } from '../../src/vigil.js';
import { alertLines, failedLogon } from '../detect/alerts.js';

const { values: args } = parseArgs({
  options: {
    alerts: { type: 'string', default: '10000000' },
    days: { type: 'string', default: '30' },
    incidents: { type: 'string', default: '20000' },
    step: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    database: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const TOTAL = Number(args.alerts);
const DAYS = Number(args.days);
const ATTACKS = Number(args.incidents);
const STEP = Number(args.step);
const BATCH = Number(args.batch);
const CONCURRENCY = Number(args.concurrency);
const TOKEN = 'bench-token';
const DAY = 86_400_000;
const START = Date.parse('2026-10-01T00:00:00Z');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;

/** Event time of alert n: the stream spreads evenly over DAYS. */
const timeOf = (n: number) => START + Math.floor((n * DAYS * DAY) / TOTAL);

/** Lines of the mix that built-in rules turn into incidents (FIM on critical paths, level 12+, 4625 and sshd failures). */
const ATTACK_LIKE = /"location":"syscheck"|Shellshock|"eventID":"4625"|authentication_failed/;

/**
 * Alerts [from, from + count): the benchmark mix without its own attacks (so the incidents are the ones counted
 * here), with an 8-alert brute force from a fresh source address every TOTAL/ATTACKS alerts.
 */
function chunk(from: number, count: number): string[] {
  const lines = alertLines(Math.ceil(count * 1.3), timeOf(from), 1 + Math.floor(from / count))
    .filter((l) => !ATTACK_LIKE.test(l))
    .slice(0, count);
  const every = Math.max(8, Math.floor(TOTAL / Math.max(1, ATTACKS)));
  for (let n = from; n < from + count; n++) {
    const slot = n % every;
    if (ATTACKS > 0 && slot >= every - 8) {
      const attack = Math.floor(n / every);
      const ip = `198.${18 + ((attack >> 16) & 1)}.${(attack >> 8) & 255}.${attack & 255}`;
      lines[n - from] = JSON.stringify(failedLogon(timeOf(n) + (slot - every + 8) * 1000, n, ip, 'administrator'));
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-soak-'));
  const url = args.database ?? join(dir, 'vigil.db');
  // Simulated time: what the stream's event time says it is now.
  let now = timeOf(0);
  // Default retention; the job runs every second instead of every minute because simulated time runs about
  // 10,000 times faster than real time here (a real minute would be a simulated week).
  const config = configSchema.parse({ ingest: { token: TOKEN, maxBacklog: 1_000_000 }, database: { url }, enrich: { enabled: false }, retention: { interval: '1s' } });
  const vigil = await createVigil(config, pino({ level: 'warn' }), { clock: () => now });
  await vigil.start();
  await vigil.server.listen({ host: '127.0.0.1', port: 0 });
  const port = (vigil.server.server.address() as { port: number }).port;
  const http = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
  console.log(`soak: ${fmt(TOTAL)} SYNTHETIC alerts over ${DAYS} days of event time, ~${fmt(ATTACKS)} brute forces, batches of ${BATCH}, ${CONCURRENCY} at a time; retention: alerts ${config.retention.alerts / DAY}d, incidents ${config.retention.incidents / DAY}d; store ${args.database ? url.replace(/\/\/.*@/, '//…@') : 'SQLite ' + url}`);
  console.log('alerts      rate/s    disk       rss        stored alerts  incidents  sim. day');

  const rows: { at: number; rate: number; disk: number; rss: number }[] = [];
  let sent = 0;
  let nextStep = STEP;
  let stepStart = performance.now();
  const post = async (body: string) => {
    for (;;) {
      const res = await http.request({ path: '/api/v1/ingest/wazuh', method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' }, body });
      await res.body.dump();
      if (res.statusCode === 202) return;
      // 503: the pipeline is behind (backpressure); wait as a Wazuh sender would.
      if (res.statusCode !== 503) throw new Error(`ingest answered ${res.statusCode}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  while (sent < TOTAL) {
    const inFlight: Promise<void>[] = [];
    for (let c = 0; c < CONCURRENCY && sent < TOTAL; c++) {
      const count = Math.min(BATCH, TOTAL - sent);
      now = timeOf(sent + count);
      inFlight.push(post(chunk(sent, count).join('\n') + '\n'));
      sent += count;
    }
    await Promise.all(inFlight);
    if (sent >= nextStep || sent === TOTAL) {
      nextStep += STEP;
      // The step ends when the pipeline has handled everything sent.
      while (vigil.runner.position < (await vigil.store.db.selectFrom('alerts').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())!.m!)
        await new Promise((r) => setTimeout(r, 20));
      const seconds = (performance.now() - stepStart) / 1000;
      const disk = await vigil.retention.measure();
      const rss = process.memoryUsage().rss;
      const stored = Number((await vigil.store.db.selectFrom('alerts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const incidents = Number((await vigil.store.db.selectFrom('incidents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const size = sent - (rows.length > 0 ? rows[rows.length - 1]!.at : 0);
      rows.push({ at: sent, rate: size / seconds, disk, rss });
      console.log(
        `${fmt(sent).padStart(10)}  ${fmt(size / seconds).padStart(8)}  ${mb(disk).padStart(9)}  ${mb(rss).padStart(9)}  ${fmt(stored).padStart(13)}  ${fmt(incidents).padStart(9)}  ${((now - START) / DAY).toFixed(1).padStart(8)}`,
      );
      stepStart = performance.now();
    }
  }
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  console.log(`last step / first step rate: ${((last.rate / first.rate) * 100).toFixed(0)}% (target ≥ 90%)`);
  // Retention of raw alerts is reached once the stream has run retention.alerts of event time.
  const reached = rows.find((r) => timeOf(r.at) - START >= config.retention.alerts + DAY);
  if (reached && reached !== last)
    console.log(
      `after retention was reached (${fmt(reached.at)} alerts): disk ${mb(reached.disk)} → ${mb(last.disk)} (${(((last.disk - reached.disk) / reached.disk) * 100).toFixed(0)}%), rss ${mb(reached.rss)} → ${mb(last.rss)} (${(((last.rss - reached.rss) / reached.rss) * 100).toFixed(0)}%)`,
    );
  console.log(`deleted by retention: ${JSON.stringify(vigil.retention.totals)}`);
  await http.close();
  await vigil.stop();
  if (args.keep) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

await main();

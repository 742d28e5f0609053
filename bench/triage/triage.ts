// The triage benchmarks. (1) Per-detection cost with 1,000 and with 100,000 incidents in the store, thousands
// of them sharing five user names (the case that once made links grow without bound): the ratio should stay
// near 1. (2) A rule that fires on every alert — SigmaHQ's "Failed Logon From Public IP" on public-address
// 4625s — through the whole pipeline as `vigil replay` runs it, through the replay command itself (a file read,
// prefiltered and parsed), and posted to a running Vigil as `vigil serve` takes it, at growing sizes: alerts/s and
// whether the time is linear in the number of alerts. SYNTHETIC alerts (bench/detect/alerts.ts); SQLite in memory
// as replay uses it; CPU seconds of this process. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Actions } from '../../src/act/actions.js';
import { replay } from '../../src/cli/replay.js';
import { configSchema } from '../../src/config/schema.js';
import { Detector } from '../../src/detect/detector.js';
import { loadRules } from '../../src/detect/rules.js';
import type { Detection, RuleRef } from '../../src/model/index.js';
import { toEvent } from '../../src/model/event.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { openDatabase } from '../../src/store/db.js';
import { triage } from '../../src/triage/incidents.js';
import { failedLogon } from '../detect/alerts.js';
import { webhook } from '../ingest/ingest.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
/** The vigil command, built beside this benchmark. */
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const quiet = pino({ level: 'silent' });
const USERS = ['administrator', 'admin', 'backup', 'svc-sql', 'scanner'];
const RULE: RuleRef = { id: 'bench-brute-force', title: 'Brute force (bench)', level: 'high', tags: ['attack.t1110'] };
const T0 = Date.parse('2026-11-21T00:00:00Z');

const ipOf = (i: number) => `${11 + ((i >>> 16) & 127)}.${(i >>> 8) & 255}.${i & 255}.${1 + (i % 200)}`;

function detection(n: number, ip: string, user: string, time: number): Detection {
  const e = toEvent(failedLogon(time, n, ip, user));
  return { id: `bench-${n}`, rule: RULE, time, firstTime: time, group: { IpAddress: ip }, count: 1, eventIds: [e.id], events: [e] };
}

/** Seeds `n` incidents (one per source address, five shared user names) straight into the tables triage reads. */
async function seed(db: Awaited<ReturnType<typeof openDatabase>>['db'], n: number, time: number): Promise<void> {
  for (let i = 0; i < n; i += 500) {
    const ids = Array.from({ length: Math.min(500, n - i) }, (_, k) => i + k);
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('incidents')
        .values(
          ids.map((k) => ({
            id: `seed-${k}`,
            fingerprint: `seed-fp-${k}`,
            title: `${RULE.title} — ${ipOf(k)}`,
            status: 'open',
            level: 'high',
            rule_id: RULE.id,
            entity_json: JSON.stringify({ IpAddress: ipOf(k) }),
            first_seen: time - 60_000,
            last_seen: time - 1000 + (k % 1000),
            detection_count: 1,
            event_count: 5,
            revision: 1,
            created_at: time,
            updated_at: time,
            severity_score: 60,
            severity_json: '[]',
            wazuh_level: 5,
            enrichment_json: '[]',
            escalated: 0,
            mitre_json: '[]',
            rule_json: JSON.stringify(RULE),
            last_detection_at: time,
          })),
        )
        .execute();
      await trx
        .insertInto('incident_indicators')
        .values(
          ids.flatMap((k) => [
            { incident_id: `seed-${k}`, kind: 'ip', value: ipOf(k), role: 'entity', first_seen: time + k },
            { incident_id: `seed-${k}`, kind: 'user', value: USERS[k % USERS.length]!, role: 'evidence', first_seen: time + k },
          ]),
        )
        .execute();
    });
  }
}

/** CPU ms per detection: `count` detections, half opening incidents and half folding into them. */
async function perDetection(incidents: number, count: number): Promise<number> {
  const store = await openDatabase(':memory:');
  try {
    const now = T0 + 3_600_000;
    await seed(store.db, incidents, now);
    const options = { quietPeriod: 3_600_000, reopenWindow: 86_400_000 };
    const run = async (from: number) => {
      for (let n = from; n < from + count; n++) {
        // New addresses, each twice (open, then fold), every one sharing a seeded user name.
        const ip = ipOf(10_000_000 + Math.floor(n / 2));
        const d = detection(n, ip, USERS[n % USERS.length]!, now + n);
        await store.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('detections')
            .values({ id: d.id, rule_id: RULE.id, rule_title: RULE.title, level: RULE.level, time: d.time, first_time: d.firstTime, group_json: '{}', count: 1, event_ids_json: '[]', rule_json: JSON.stringify(RULE), incident_id: null, created_at: now, suppression_id: null })
            .execute();
          await triage(trx, d, options, { db: trx }, now + n);
        });
      }
    };
    await run(0); // warm-up
    const t0 = cpu();
    await run(count);
    return ((cpu() - t0) * 1000) / count;
  } finally {
    await store.close();
  }
}

/** Public-address 4625s `from` … `from + count - 1` of forty hosts, 50 ms apart: every one fires the noisy rule. */
const noisyLines = (count: number, from = 0) =>
  Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return JSON.stringify(failedLogon(T0 + i * 50, i, `${80 + (i % 40)}.${(i >>> 8) & 255}.${i & 255}.${7 + (i % 200)}`, 'administrator'));
  });

/**
 * One line per size: alerts per second (`rate`: count / seconds), and the rate of the alerts this run has beyond
 * the smallest run's (the difference of counts over the difference of seconds: what more alerts cost, without the
 * fixed cost of a run — a first batch's new incidents, a cold start). Linear: that rate stays level as runs grow.
 */
function printRates(sizes: number[], rates: number[], extra: (i: number) => string = () => ''): void {
  const n0 = sizes[0]!;
  const s0 = n0 / rates[0]!;
  for (const [i, n] of sizes.entries()) {
    const rate = rates[i]!;
    const beyond = n > n0 ? (n - n0) / (n / rate - s0) : undefined;
    const said = beyond === undefined ? '' : beyond > 0 && Number.isFinite(beyond) ? `   the ${fmt(n - n0)} beyond the first ${fmt(n0)}: ${fmt(beyond)}/s` : `   the ${fmt(n - n0)} beyond the first ${fmt(n0)}: within noise`;
    process.stdout.write(`  ${fmt(n).padStart(7)} alerts: ${fmt(rate).padStart(6)} alerts per CPU second${extra(i)}${said}   (target ≥ 10,000/s)\n`);
  }
}

/** The noisy rule through detect → triage → store, as `vigil replay` runs it: alerts/s per CPU second, and per 5,000 alerts. */
async function noisy(rulesDir: string, count: number): Promise<{ rate: number; per5000: number[] }> {
  const rules = loadRules([rulesDir]);
  const store = await openDatabase(':memory:');
  try {
    const pipeline = new Pipeline(store.db, new Detector(rules), quiet, { actions: new Actions([]), triage: { quietPeriod: 3_600_000, reopenWindow: 86_400_000 } });
    // Each batch's lines are made just before it is handled, outside the time (vigil replay streams its file: the
    // whole input never sits in memory to be marked by every garbage collection).
    let seconds = 0;
    let span = 0;
    const per5000: number[] = [];
    for (let i = 0; i < count; i += 1000) {
      const lines = noisyLines(Math.min(1000, count - i), i);
      const t0 = cpu();
      await pipeline.handle(lines.map((l) => toEvent(JSON.parse(l))));
      const took = cpu() - t0;
      seconds += took;
      span += took;
      if ((i + 1000) % 5000 === 0) (per5000.push(5000 / span), (span = 0));
    }
    return { rate: count / seconds, per5000 };
  } finally {
    await store.close();
  }
}

/**
 * The noisy rule through `vigil replay` itself, in this process: the alerts in a file, read, prefiltered, parsed
 * and handled as the command does, its output discarded. Alerts per CPU second and per wall second, from the
 * command's start (rules, an empty store) to its end; the module loading of a fresh process is not in it. Then
 * the same file through the command in a process of its own, as a user runs it: alerts per wall second with
 * its start-up.
 */
async function replayCommand(rule: string, count: number): Promise<{ cpu: number; wall: number; process: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-replay-'));
  try {
    const file = join(dir, 'alerts.json');
    const fd = openSync(file, 'w');
    for (let i = 0; i < count; i += 1000) writeSync(fd, noisyLines(Math.min(1000, count - i), i).join('\n') + '\n');
    closeSync(fd);
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    const c0 = cpu();
    const t0 = performance.now();
    await replay([file], configSchema.parse({}), { rules: [rule], actions: false }, discard as unknown as typeof process.stdout, discard as unknown as typeof process.stderr);
    const inProcess = { cpu: count / (cpu() - c0), wall: count / ((performance.now() - t0) / 1000) };
    const t1 = performance.now();
    const run = spawnSync(process.execPath, [CLI, 'replay', '-r', rule, '--no-actions', file], { stdio: 'ignore' });
    if (run.status !== 0) throw new Error(`vigil replay exited with ${run.status ?? run.signal}`);
    return { ...inProcess, process: count / ((performance.now() - t1) / 1000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The noisy rule in `vigil serve`: NDJSON batches of 500 posted (four at a time) to a running Vigil with only that
 * rule loaded (SQLite file, every alert recorded), until the last is detected and triaged: alerts per CPU second
 * of the whole process (server, SQLite thread, sender) and per wall second.
 */
async function noisyServe(rule: string, count: number): Promise<{ cpu: number; wall: number }> {
  const { total } = await webhook(noisyLines(count), 500, 4, { rules: { builtin: false, paths: [rule] } });
  return { cpu: count / total.cpu, wall: count / total.seconds };
}

export async function triageBenchmark(options: { small: number; large: number; detections: number; noisy: number[]; sigmaRule: string }): Promise<void> {
  process.stdout.write(`triage: per-detection cost by incidents in the store (SQLite in memory; every detection shares one of ${USERS.length} user names with thousands of incidents)\n`);
  const small = await perDetection(options.small, options.detections);
  const large = await perDetection(options.large, options.detections);
  process.stdout.write(`  ${fmt(options.small).padStart(8)} incidents: ${small.toFixed(3)} CPU ms per detection\n`);
  process.stdout.write(`  ${fmt(options.large).padStart(8)} incidents: ${large.toFixed(3)} CPU ms per detection   ratio ${(large / small).toFixed(2)}   (target ≤ 1.5)\n`);
  if (!existsSync(options.sigmaRule)) {
    process.stdout.write(`noisy rule: skipped (no ${options.sigmaRule})\n`);
    return;
  }
  process.stdout.write(`noisy rule: SigmaHQ "Failed Logon From Public IP" on public-address 4625s, detect → triage → store as vigil replay runs it\n`);
  const replayed: { rate: number; per5000: number[] }[] = [];
  for (const n of options.noisy) replayed.push(await noisy(options.sigmaRule, n));
  printRates(
    options.noisy,
    replayed.map((r) => r.rate),
  );
  // The largest run, 5,000 alerts at a time after its first 5,000 (which carry the run's fixed cost): level if linear.
  const steady = replayed[replayed.length - 1]!.per5000.slice(1);
  if (steady.length >= 2)
    process.stdout.write(`  per 5,000 alerts of the ${fmt(options.noisy[options.noisy.length - 1]!)}-alert run after its first 5,000: ${fmt(Math.min(...steady))}–${fmt(Math.max(...steady))} alerts per CPU second (first half ${fmt(mean(steady.slice(0, steady.length >> 1)))}, second half ${fmt(mean(steady.slice(steady.length >> 1)))})\n`);
  process.stdout.write(`noisy rule through vigil replay (a file read, prefiltered and parsed as the command does; in this process, output discarded; then as a process of its own)\n`);
  const commands: { cpu: number; wall: number; process: number }[] = [];
  for (const n of options.noisy) commands.push(await replayCommand(options.sigmaRule, n));
  printRates(
    options.noisy,
    commands.map((r) => r.cpu),
    (i) => `, ${fmt(commands[i]!.wall).padStart(6)} per wall second; as its own process, start-up included: ${fmt(commands[i]!.process)} per wall second`,
  );
  process.stdout.write(`noisy rule in vigil serve: NDJSON batches of 500 posted 4 at a time, only that rule loaded, SQLite file; CPU of the whole process\n`);
  const served: { cpu: number; wall: number }[] = [];
  for (const n of options.noisy) served.push(await noisyServe(options.sigmaRule, n));
  printRates(
    options.noisy,
    served.map((r) => r.cpu),
    (i) => `, ${fmt(served[i]!.wall).padStart(6)} per wall second`,
  );
}

export const SIGMA_RULE = (shared: string) => join(shared, 'data/sigma/sigmahq/rules/windows/builtin/security/account_management/win_security_susp_failed_logon_source.yml');

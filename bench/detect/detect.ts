// The detection benchmark: throughput of the whole built-in rule pack against read + JSON.parse alone over the
// same SYNTHETIC alerts, and the memory that correlation state costs for a million distinct source addresses.
// Prints numbers and ratios; asserts nothing (speed is not a test).
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Detector } from '../../src/detect/detector.js';
import { Prefilter } from '../../src/detect/prefilter.js';
import { loadRules, type RuleSet } from '../../src/detect/rules.js';
import { BUILTIN_RULES } from '../../src/paths.js';
import { toEvent } from '../../src/model/event.js';
import { alertLines, failedLogon } from './alerts.js';
import { gc } from './gc.js';

function readLines(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function parseLines(lines: string[]): number {
  let fields = 0;
  for (const line of lines) fields += (JSON.parse(line) as { id?: string }).id ? 1 : 0;
  return fields;
}

function parseOnly(file: string): number {
  let fields = 0;
  for (const line of readLines(file)) fields += (JSON.parse(line) as { id?: string }).id ? 1 : 0;
  return fields;
}

/** Events the pipeline handles per batch (vigil replay's batches, serve's hand-off): continuations are taken after each. */
const BATCH = 1000;

/**
 * Detection over the file; with a prefilter, lines no rule can match are not parsed at all. As the pipeline
 * does, the matches that fired bursts absorbed are taken after every batch (and counted with the detections):
 * held for the whole run, they would keep up to a thousand parsed alerts per group alive.
 */
function detect(file: string, rules: RuleSet, prefilter?: Prefilter): Map<string, number> {
  const detector = new Detector(rules);
  const fired = new Map<string, number>();
  const take = () => {
    for (const c of [...detector.takeSealed(), ...detector.takeContinuations()]) fired.set(`${c.rule.ref.title} (continued)`, (fired.get(`${c.rule.ref.title} (continued)`) ?? 0) + c.count);
  };
  let processed = 0;
  for (const line of readLines(file)) {
    if (prefilter && !prefilter.mayMatch(line)) continue;
    for (const d of detector.process(toEvent(JSON.parse(line), line))) fired.set(d.rule.title, (fired.get(d.rule.title) ?? 0) + 1);
    if (++processed % BATCH === 0) take();
  }
  take();
  return fired;
}

/**
 * CPU seconds (user + system) the run took. Wall time on a machine shared with other work measures the other
 * work too; CPU time of this single-threaded loop does not.
 */
function timed<T>(fn: () => T): [number, T] {
  const t0 = process.cpuUsage();
  const out = fn();
  const d = process.cpuUsage(t0);
  return [(d.user + d.system) / 1e6, out];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function throughput(count: number, rounds: number): void {
  const rules = loadRules([BUILTIN_RULES]);
  if (rules.problems.length > 0) throw new Error(`built-in rules do not load: ${JSON.stringify(rules.problems)}`);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const file = join(dir, 'alerts.json');
  const lines = alertLines(count);
  writeFileSync(file, lines.join('\n') + '\n');
  const bytes = lines.reduce((n, l) => n + l.length + 1, 0);
  process.stdout.write(
    `detect: ${fmt(count)} synthetic Wazuh alerts (${(bytes / count).toFixed(0)} bytes each on average), ` +
      `${rules.rules.length} rules in the built-in pack\n`,
  );
  const prefilter = new Prefilter(rules.rules, {});
  const passedLines = lines.filter((l) => prefilter.mayMatch(l));
  const passed = passedLines.length;
  parseOnly(file); // warm-up
  detect(file, rules);
  detect(file, rules, prefilter);
  const parse: number[] = [];
  const full: number[] = [];
  const filtered: number[] = [];
  /** What JSON.parse of the lines the prefilter passes costs, as a share of JSON.parse of every line. */
  const passedShare: number[] = [];
  let fired = new Map<string, number>();
  let firedFiltered = new Map<string, number>();
  // Each timed section starts from a collected heap: otherwise the major collection of the section before's
  // garbage (a round parses 200,000 alerts) falls into whichever section comes next.
  for (let i = 0; i < rounds; i++) {
    gc();
    parse.push(count / timed(() => parseOnly(file))[0]);
    gc();
    const [s, f] = timed(() => detect(file, rules));
    full.push(count / s);
    fired = f;
    gc();
    const all = timed(() => parseLines(lines))[0];
    gc();
    passedShare.push(timed(() => parseLines(passedLines))[0] / all);
    gc();
    const [s2, f2] = timed(() => detect(file, rules, prefilter));
    filtered.push(count / s2);
    firedFiltered = f2;
  }
  rmSync(dir, { recursive: true, force: true });
  const p = median(parse);
  const d = median(full);
  const q = median(filtered);
  const same = JSON.stringify([...fired].sort()) === JSON.stringify([...firedFiltered].sort());
  process.stdout.write(`  read + JSON.parse alone:                       ${fmt(p)} events per CPU second (median of ${rounds})\n`);
  process.stdout.write(`  read + JSON.parse + detection:                 ${fmt(d)} events per CPU second   ratio to parse-only ${(d / p).toFixed(2)}\n`);
  process.stdout.write(
    `  read + prefilter + JSON.parse + detection:     ${fmt(q)} events per CPU second   ratio to parse-only ${(q / p).toFixed(2)}   (target ≥ 1.0)\n` +
      `    the prefilter (${prefilter.stats.needles} needles) let ${fmt(passed)} of ${fmt(count)} lines (${((passed / count) * 100).toFixed(1)}%) through to JSON.parse; ` +
      `detections ${same ? 'identical' : 'DIFFER'} with and without it\n` +
      `    JSON.parse of the lines it lets through costs ${(median(passedShare) * 100).toFixed(0)}% of JSON.parse of every line (in memory, median of ${rounds}): ` +
      `detection / parse-only ≥ 1 needs the prefilter, the events and detection together to cost less than the other ${((1 - median(passedShare)) * 100).toFixed(0)}%\n`,
  );
  process.stdout.write(`  detections per run: ${[...fired].map(([t, n]) => `${t}: ${n}`).join('; ')}\n`);
}

export function memory(addresses: number): void {
  const rules = loadRules([BUILTIN_RULES]);
  // Each address makes one group in the brute-force correlation and one in the password-spray correlation.
  const detector = new Detector(rules, { maxGroups: 2 * addresses });
  const start = Date.parse('2026-11-21T10:00:00Z');
  const span = 4 * 60_000; // all inside the 5-minute brute-force window
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < addresses; i++) {
    const ip = `${10 + (i >>> 24)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
    const alert = failedLogon(start + Math.floor((i * span) / addresses), i, ip, 'administrator');
    detector.process(toEvent(alert));
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  const s = detector.stats;
  const grown = after - before;
  process.stdout.write(
    `memory: ${fmt(addresses)} distinct source addresses inside one correlation window\n` +
      `  correlation groups held: ${fmt(s.correlationGroups)}, evicted: ${s.correlationEvictions}, expired: ${s.correlationExpired}\n` +
      `  heap growth: ${(grown / 1024 / 1024).toFixed(1)} MB (${(grown / addresses).toFixed(0)} bytes per address)   (target ≤ 250 MB)\n`,
  );
}

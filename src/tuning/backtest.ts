// Backtest: the stored alerts of a window replayed through the current rules and through the proposed ones, side
// by side, each through a whole pipeline (detect → triage, src/pipeline/build.ts) over its own in-memory store, so
// nothing live is touched: no incident, no cursor, no notification, no correlation state of the running detector.
// The two sets of incidents are then compared per rule: those that would vanish, those that would appear. Only the
// rules the proposal changes are replayed (with what feeds them and what they feed, changedRules): a rule that is
// the same on both sides opens the same incidents on both, so replaying it would only cost time.
//
// What the window holds is what retention kept: every alert for retention.alerts (default 7 days), and beyond
// that the alerts that are evidence of a detection (README "Storage and retention"). Suppressions and rule modes
// of the live store do not apply on either side (both sides alike): the difference is the rules' alone.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Actions } from '../act/actions.js';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import { Prefilter } from '../detect/prefilter.js';
import type { Rule, RuleSet } from '../detect/rules.js';
import { EventBus } from '../events.js';
import type { Event } from '../model/index.js';
import { buildPipeline } from '../pipeline/build.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { readRecordedAlert } from '../sources/ndjson.js';
import { alertsHead, firstAlertSince, readAlertsAfter } from '../store/alerts.js';
import { openDatabase, type OpenedDb } from '../store/db.js';
import type { Database } from '../store/schema.js';
import { incidentSpans } from '../triage/record.js';

export interface BacktestInput {
  config: Config;
  current: RuleSet;
  proposed: RuleSet;
  /** Alerts received at or after this time (epoch ms). */
  since: number;
  log: Logger;
  clock?: Clock;
  /** Most incidents listed per rule and side (counts are always whole). */
  listLimit?: number;
  /** Replay every rule, also those the proposal leaves as they are (default: only the rules it changes). */
  all?: boolean;
}

export interface IncidentSketch {
  ruleId: string;
  title: string;
  entity: Record<string, string>;
  firstSeen: number;
  lastSeen: number;
  events: number;
}

export interface RuleDiff {
  ruleId: string;
  title: string;
  /** Incidents with the current rules, with the proposed ones. */
  current: number;
  proposed: number;
  vanished: IncidentSketch[];
  appeared: IncidentSketch[];
  vanishedCount: number;
  appearedCount: number;
  /** Incidents on both sides whose event count differs. */
  changed: number;
}

export interface BacktestResult {
  since: number;
  until: number;
  /** Stored alerts read, and how many of them were parsed (the others no rule of either side can match). */
  alerts: number;
  parsed: number;
  unreadable: number;
  /** Wall and CPU time of the replay, and alerts per wall second. */
  seconds: number;
  cpuSeconds: number;
  alertsPerSecond: number;
  /** Rules replayed (those the proposal changes, with the rules they read and the correlations that read them), of all. */
  replayedRules: number;
  totalRules: number;
  /** Rules with an incident on either side, those with a difference first. */
  rules: RuleDiff[];
  totals: { current: number; proposed: number; vanished: number; appeared: number };
}

const PAGE = 2000;

interface Side {
  store: OpenedDb;
  pipeline: Pipeline;
}

async function side(config: Config, rules: RuleSet, log: Logger, clock: Clock): Promise<Side> {
  const store = await openDatabase(':memory:');
  // No playbook: a backtest tells nobody anything.
  const pipeline = buildPipeline(config, store.db, log, { rules, actions: new Actions([]), events: new EventBus(), live: false, clock });
  return { store, pipeline };
}

export async function backtest(live: Kysely<Database>, input: BacktestInput): Promise<BacktestResult> {
  const clock = input.clock ?? systemClock;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const until = clock();
  const sets = input.all ? { current: input.current, proposed: input.proposed } : changedRules(input.current, input.proposed);
  const sides = [await side(input.config, sets.current, input.log, clock), await side(input.config, sets.proposed, input.log, clock)];
  const placeholders = input.config.detect.placeholders;
  // One prefilter over both sides' rules: an alert either side may match is parsed once, for both.
  const replayed = [...sets.current.rules, ...sets.proposed.rules];
  const prefilter = new Prefilter(replayed, placeholders);
  const mayMatch = replayed.length === 0 ? () => false : (text: string) => prefilter.mayMatch(text);
  const ids = (set: RuleSet) => set.rules.map((r) => r.ref.id);
  let alerts = 0;
  let parsed = 0;
  let unreadable = 0;
  try {
    const head = await alertsHead(live);
    let after = (await firstAlertSince(live, input.since)) - 1;
    while (after < head) {
      const page = (await readAlertsAfter(live, after, PAGE)).filter((a) => a.seq <= head);
      if (page.length === 0) break;
      after = page[page.length - 1]!.seq;
      const events: Event[] = [];
      for (const a of page) {
        if (a.receivedAt < input.since) continue;
        alerts++;
        if (!mayMatch(a.body)) continue;
        try {
          events.push(readRecordedAlert(a.body, a.format));
          parsed++;
        } catch {
          unreadable++;
        }
      }
      // The same parsed events to both: detection does not change them.
      await Promise.all(sides.map((s) => s.pipeline.handle(events)));
    }
    await Promise.all(sides.map((s) => s.pipeline.flush()));
    const [cur, prop] = await Promise.all(sides.map((s) => incidentsOf(s.store.db)));
    const titles = new Map<string, string>();
    for (const set of [input.current, input.proposed]) for (const r of set.rules) titles.set(r.ref.id, r.ref.title);
    const rules = compare(cur!, prop!, titles, input.listLimit ?? 100);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return {
      since: input.since,
      until,
      alerts,
      parsed,
      unreadable,
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      alertsPerSecond: seconds > 0 ? Math.round(alerts / seconds) : alerts,
      replayedRules: new Set([...ids(sets.current), ...ids(sets.proposed)]).size,
      totalRules: new Set([...ids(input.current), ...ids(input.proposed)]).size,
      rules,
      totals: {
        current: cur!.length,
        proposed: prop!.length,
        vanished: rules.reduce((n, r) => n + r.vanishedCount, 0),
        appeared: rules.reduce((n, r) => n + r.appearedCount, 0),
      },
    };
  } finally {
    for (const s of sides) await s.store.close();
  }
}

/** A rule as it judges events: two rules with the same signature open the same incidents from the same alerts. */
function signature(r: Rule): string {
  const { source: _source, ...ref } = r.ref;
  if (r.kind === 'detection') return JSON.stringify({ ref, logsource: r.logsource, detection: r.detection, filters: r.filterKeys ?? [] });
  return JSON.stringify({ ref, type: r.type, rules: r.rules, groupBy: r.groupBy, aliases: r.aliases, timespan: r.timespan, condition: r.condition, generate: r.generate });
}

/**
 * The rules a backtest has to replay: those that differ between the sides (changed, added or removed), the rules
 * they read (a correlation's inputs) and the correlations that read any of these — so each replayed rule is fed
 * and silenced exactly as in its whole set. Every other rule is the same on both sides and cannot differ.
 */
export function changedRules(current: RuleSet, proposed: RuleSet): { current: RuleSet; proposed: RuleSet } {
  const sides = [current, proposed];
  const sig = sides.map((set) => new Map(set.rules.map((r) => [r.ref.id, signature(r)])));
  const wanted = new Set<string>();
  for (const id of new Set([...sig[0]!.keys(), ...sig[1]!.keys()])) if (sig[0]!.get(id) !== sig[1]!.get(id)) wanted.add(id);
  // A correlation's references (ids or names) as ids, per side.
  const edges = sides.map((set) => {
    const idOf = new Map<string, string>();
    for (const r of set.rules) {
      idOf.set(r.ref.id, r.ref.id);
      if (r.name) idOf.set(r.name, r.ref.id);
    }
    return set.rules.flatMap((r) => (r.kind === 'correlation' ? r.rules.flatMap((x) => (idOf.has(x) ? [[r.ref.id, idOf.get(x)!] as const] : [])) : []));
  });
  for (let grew = true; grew; ) {
    grew = false;
    for (const list of edges)
      for (const [correlation, input] of list) {
        if (wanted.has(correlation) !== wanted.has(input)) {
          wanted.add(correlation);
          wanted.add(input);
          grew = true;
        }
      }
  }
  const keep = (set: RuleSet): RuleSet => ({ ...set, rules: set.rules.filter((r) => wanted.has(r.ref.id)) });
  return { current: keep(current), proposed: keep(proposed) };
}

interface Sketch extends IncidentSketch {
  fingerprint: string;
}

async function incidentsOf(db: Kysely<Database>): Promise<Sketch[]> {
  return incidentSpans(db);
}

const sketch = ({ fingerprint: _f, ...s }: Sketch): IncidentSketch => s;

/**
 * Pairs each current incident with a proposed one of the same rule and entity whose time span overlaps it; what
 * stays unpaired on the current side would vanish, on the proposed side would appear.
 */
export function compare(current: Sketch[], proposed: Sketch[], titles: Map<string, string>, limit: number): RuleDiff[] {
  const byRule = new Map<string, RuleDiff>();
  const diff = (ruleId: string) => {
    let d = byRule.get(ruleId);
    if (!d) {
      d = { ruleId, title: titles.get(ruleId) ?? ruleId, current: 0, proposed: 0, vanished: [], appeared: [], vanishedCount: 0, appearedCount: 0, changed: 0 };
      byRule.set(ruleId, d);
    }
    return d;
  };
  const pool = new Map<string, Sketch[]>();
  for (const p of proposed) {
    diff(p.ruleId).proposed++;
    const key = `${p.ruleId}\u0000${p.fingerprint}`;
    pool.set(key, [...(pool.get(key) ?? []), p]);
  }
  for (const c of current) {
    const d = diff(c.ruleId);
    d.current++;
    const list = pool.get(`${c.ruleId}\u0000${c.fingerprint}`) ?? [];
    const i = list.findIndex((p) => p.firstSeen <= c.lastSeen && c.firstSeen <= p.lastSeen);
    if (i < 0) {
      d.vanishedCount++;
      if (d.vanished.length < limit) d.vanished.push(sketch(c));
      continue;
    }
    if (list[i]!.events !== c.events) d.changed++;
    list.splice(i, 1);
  }
  for (const list of pool.values())
    for (const p of list) {
      const d = diff(p.ruleId);
      d.appearedCount++;
      if (d.appeared.length < limit) d.appeared.push(sketch(p));
    }
  const changes = (d: RuleDiff) => d.vanishedCount + d.appearedCount + d.changed;
  return [...byRule.values()].sort((a, b) => changes(b) - changes(a) || b.current - a.current || a.title.localeCompare(b.title));
}

// The detect stage: events in, detections out. Single-event rules fire directly; rules referenced by a
// correlation feed it instead (unless the correlation says `generate: true`). A correlation may feed another
// one (chaining): its firing is then the outer correlation's input, at the time of the event that completed it
// and carrying its group-by values.
import { systemClock, type Clock } from '../clock.js';
import type { Detection, Event, EventFormat } from '../model/index.js';
import { CorrelationEngine, groupKey, type BurstContinuation, type CorrelationFiring, type CorrelationTable } from './correlation/engine.js';
import { ClosingTable } from './correlation/closing.js';
import { RuleIndex } from './dispatch.js';
import { rawLineOf } from '../model/event.js';
import { sha1Hex } from '../model/digest.js';
import { LiteralScreen, SCREEN_MIN_RULES } from './screen.js';
import type { Accessor } from './fields.js';
import { FORMATS, type CorrelationRule, type DetectionRule, type Rule, type RuleSet } from './rules.js';

export interface DetectorOptions {
  /** Most correlation groups held at once; beyond it the least recently seen is evicted and counted. */
  maxGroups?: number;
  /** Milliseconds an event may lag behind the newest event time and still count in its window. */
  lateness?: number;
  /** Recent correlation inputs kept for evidence. */
  evidenceEvents?: number;
  /** Milliseconds an event time may be ahead of the clock and still be correlated (default: no limit). */
  maxFuture?: number;
  /** The clock: for maxFuture, and the time expire() closes windows at (tests drive it). */
  clock?: Clock;
  /** Whether single-event rules' own firings are emitted (default true; a cluster's partition owners emit only correlations). */
  singles?: boolean;
  /**
   * Which correlation inputs this detector correlates, by correlation rule and group key (default: all). A cluster
   * routes each input to the partition that owns its (rule, group) and correlates there (src/cluster/). `event` is
   * the input's event; it is absent for a chained input (another correlation's firing).
   */
  correlate?: (rule: CorrelationRule, key: string, event?: Event) => boolean;
  /**
   * Where a chained input goes that `correlate` does not give to this detector: a firing whose outer correlation
   * groups differently, so that another partition owns its (outer rule, group). The cluster publishes it to that
   * partition, whose detector takes it with chained(). Without it such inputs are dropped.
   */
  forward?: (firing: CorrelationFiring, to: CorrelationRule, key: string) => void;
  /**
   * Whether large rule lists are screened by the literals their rules require in the event's raw line
   * (screen.ts; default true). Off, every rule of the event's lists is evaluated: the same detections, slower.
   */
  screen?: boolean;
}

export interface DetectorStats {
  events: number;
  matches: number;
  detections: number;
  correlationGroups: number;
  correlationEvictions: number;
  /** Groups dropped because their window passed (normal, not a loss). */
  correlationExpired: number;
  /** Matches that arrived later than the lateness allowance and were not correlated. */
  lateEvents: number;
  /** Matches dated further ahead of the clock than maxFuture, not correlated. */
  futureEvents: number;
}

/** Reads a group key and, for value_count, the counted value from one kind of input. */
interface Feed {
  rule: CorrelationRule;
  /** The sliding engine's table, or a table of windows judged when they close. */
  table: CorrelationTable | ClosingTable;
  index: number;
}

interface EventFeed extends Feed {
  group: Record<EventFormat, Accessor[]>;
  value?: Record<EventFormat, Accessor[]>;
}

interface FiringFeed extends Feed {
  group: string[];
  value?: string[];
}

/**
 * A detection's id: the time of the event that completed it (epoch milliseconds, 12 hex digits) and a digest of
 * the rule, the group and that event. The same detection made again (a replayed window, another node) has the
 * same id. Ids made in time order sort in time order, so each new row goes in at the end of the detections' key
 * index: a key that was a digest alone put every row of a batch on another page of that index, and each commit
 * wrote all of those pages again (at 200,000 detections on disk, about twice the cost of the insert).
 */
export function detectionId(ruleId: string, group: Record<string, string>, eventId: string, time: number): string {
  const ms = Number.isFinite(time) && time > 0 ? Math.floor(time) : 0;
  return ms.toString(16).padStart(12, '0') + sha1Hex(`${ruleId}\u0000${JSON.stringify(group)}\u0000${eventId}`).slice(0, 16);
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

export class Detector {
  private readonly index: RuleIndex;
  private readonly eventFeeds = new Map<DetectionRule, EventFeed[]>();
  private readonly firingFeeds = new Map<CorrelationRule, FiringFeed[]>();
  private readonly tables = new Map<CorrelationRule, CorrelationTable | ClosingTable>();
  private readonly closing: ClosingTable[] = [];
  /** Rules whose own firings are emitted. */
  private readonly emits = new Set<Rule>();
  private readonly engine: CorrelationEngine;
  private readonly clock: Clock;
  /** The clock when the last event was processed (kept only when some correlation is judged at its close). */
  private arrivedAt = -Infinity;
  private counters = { events: 0, matches: 0, detections: 0 };
  private readonly singles: boolean;
  private readonly correlate?: DetectorOptions['correlate'];
  private readonly forward?: DetectorOptions['forward'];
  /** Screens of the rule lists long enough to be worth one (by list). */
  private readonly screens = new Map<readonly DetectionRule[], LiteralScreen>();
  private readonly screening: boolean;
  private readonly picks: DetectionRule[] = [];
  /**
   * Each screened list followed by the `always` rules, with one screen of its own: an event whose one non-empty
   * list it is (most events) has its line scanned once, not once for its list and again for `always`.
   */
  private readonly withAlways = new Map<readonly DetectionRule[], readonly DetectionRule[]>();
  /** The current event's raw line in lower case, once a screened list needed it. */
  private lower: string | undefined;

  constructor(ruleSet: RuleSet, options: DetectorOptions = {}) {
    this.singles = options.singles ?? true;
    this.correlate = options.correlate;
    this.forward = options.forward;
    this.clock = options.clock ?? systemClock;
    this.engine = new CorrelationEngine({
      maxGroups: options.maxGroups ?? 1_000_000,
      lateness: options.lateness ?? 60_000,
      evidenceSize: options.evidenceEvents ?? 4096,
      maxFuture: options.maxFuture ?? Infinity,
      clock: options.clock ?? systemClock,
    });
    const detectionRules = ruleSet.rules.filter((r): r is DetectionRule => r.kind === 'detection');
    this.index = new RuleIndex(detectionRules);
    this.screening = options.screen ?? true;
    if (this.screening) {
      // Built now: the screens of what most events meet. A list's own screen (for an event with two lists) and
      // the screen of every rule (for an event whose id is not a number) are built the first time one is met:
      // over SigmaHQ those are the largest (the one of every rule holds some 40 MB) and most inputs never need them.
      const { always, all } = this.index;
      this.screenOf(always);
      for (const list of this.index.lists()) {
        if (list.length < SCREEN_MIN_RULES || list === always || list === all) continue;
        if (always.length === 0) {
          this.screenOf(list);
          continue;
        }
        const merged = [...list, ...always];
        this.withAlways.set(list, merged);
        this.screenOf(merged);
      }
    }
    const byRef = new Map<string, Rule>();
    for (const r of ruleSet.rules) {
      byRef.set(r.ref.id, r);
      if (r.name) byRef.set(r.name, r);
    }
    const silenced = silencedRules(ruleSet);
    const lateness = options.lateness ?? 60_000;
    for (const c of ruleSet.rules) {
      if (c.kind !== 'correlation') continue;
      if (!c.closing) this.tables.set(c, this.engine.table(c));
      else {
        const t = new ClosingTable(c, lateness, options.maxGroups ?? 1_000_000);
        this.closing.push(t);
        this.tables.set(c, t);
      }
    }
    for (const [c, table] of this.tables) {
      c.rules.forEach((ref, index) => {
        const base = byRef.get(ref);
        if (!base) return; // the loader rejects correlations with dangling references
        const fieldOf = (g: string) => c.aliases[g]?.[ref] ?? g;
        if (base.kind === 'detection') {
          // Group-by fields are read where the base rule's logsource writes them (a CloudTrail rule's
          // `userIdentity.arn` is data.aws.userIdentity.arn).
          const paths = (fields: string[]) =>
            Object.fromEntries(FORMATS.map((f) => [f, fields.map((x) => base.field[f](x))])) as Record<EventFormat, Accessor[]>;
          push(this.eventFeeds, base, {
            rule: c,
            table,
            index,
            group: paths(c.groupBy.map(fieldOf)),
            value: c.condition.field ? paths(c.condition.field) : undefined,
          });
        } else {
          push(this.firingFeeds, base, { rule: c, table, index, group: c.groupBy.map(fieldOf), value: c.condition.field });
        }
      });
    }
    for (const r of ruleSet.rules) if (!silenced.has(r)) this.emits.add(r);
  }

  get stats(): DetectorStats {
    return {
      ...this.counters,
      correlationGroups: this.engine.size + this.closing.reduce((n, t) => n + t.size, 0),
      correlationEvictions: this.engine.evictions + this.closing.reduce((n, t) => n + t.evictions, 0),
      correlationExpired: this.engine.expired,
      lateEvents: this.engine.late + this.closing.reduce((n, t) => n + t.late, 0),
      futureEvents: this.engine.future,
    };
  }

  /**
   * Matches that fired correlations absorbed since the last call (one entry per group, summed): the attack
   * goes on after its detection, and the incident's counts should say so. Only emitted rules are reported.
   */
  takeContinuations(): BurstContinuation[] {
    return this.engine.takeContinuations().filter((c) => this.emits.has(c.rule));
  }

  /**
   * Continuations of bursts that ended (their group began a new burst) since the last call. Taken after each
   * event, they belong before that event's detections: to the incident of the burst that ended.
   */
  takeSealed(): BurstContinuation[] {
    const sealed = this.engine.takeSealed();
    return sealed.length === 0 ? sealed : sealed.filter((c) => this.emits.has(c.rule));
  }

  process(event: Event): Detection[] {
    this.counters.events++;
    const out: Detection[] = [];
    this.advance(event.time, out);
    const data = event.data;
    const format = event.format;
    const picked = this.index.select(format, data);
    this.lower = undefined;
    if (picked === null) this.evaluateList(this.index.all, event, out);
    else {
      let only: readonly DetectionRule[] | undefined;
      let lists = 0;
      for (const list of picked) if (list.length > 0) (only = list), lists++;
      const merged = lists === 1 ? this.withAlways.get(only!) : undefined;
      if (merged) this.evaluateList(merged, event, out);
      else {
        for (const list of picked) if (list.length > 0) this.evaluateList(list, event, out);
        this.evaluateList(this.index.always, event, out);
      }
    }
    this.counters.detections += out.length;
    return out;
  }

  /** Moves event time on; windows judged at their close that it has passed fire into `out`. */
  private advance(time: number, out: Detection[]): void {
    this.engine.advance(time);
    if (this.closing.length > 0) {
      this.arrivedAt = this.clock();
      for (const t of this.closing) for (const f of t.due(this.engine.watermark)) this.fired(f, out);
    }
  }

  /**
   * A firing made by another detector (a cluster partition that owns the inner correlation's group), handed on
   * for the correlations built on it whose (rule, group) this detector correlates. The firing itself is not
   * emitted again: its own detector did that. Its time moves event time on, as an event's would.
   */
  chained(f: CorrelationFiring): Detection[] {
    const out: Detection[] = [];
    this.advance(f.time, out);
    this.feedChained(f, out, false);
    this.counters.detections += out.length;
    return out;
  }

  /**
   * Closes the windows the clock says are over, though no later event came to close them (serve calls this from
   * its scheduler, src/pipeline/alert-runner.ts). Event time is taken to go on with the clock since the last
   * event: the newest event time plus the time since that event was processed. So a quiet input still has its
   * "fewer than" windows judged once their end plus the lateness has passed, while a backlog being read (event
   * times far behind the clock) closes nothing early: each event moves the estimate back to its own time.
   */
  expire(now: number = this.clock()): Detection[] {
    const out: Detection[] = [];
    if (this.closing.length === 0 || this.arrivedAt === -Infinity) return out;
    const watermark = this.engine.watermark + Math.max(0, now - this.arrivedAt);
    for (const t of this.closing) for (const f of t.due(watermark)) this.fired(f, out);
    this.counters.detections += out.length;
    return out;
  }

  /**
   * The end of the input (a replay's last file, a rule test's case): closes every open window of the
   * correlations judged at their close, which may fire. Serve never calls it; there windows close as event time
   * passes them, or as the clock does (expire).
   */
  flush(): Detection[] {
    const out: Detection[] = [];
    for (const t of this.closing) for (const f of t.flush()) this.fired(f, out);
    this.counters.detections += out.length;
    return out;
  }

  private observe(table: CorrelationTable | ClosingTable, input: Parameters<CorrelationEngine['observe']>[1]): CorrelationFiring | null {
    return table instanceof ClosingTable ? table.observe(input) : this.engine.observe(table, input);
  }

  /**
   * Evaluates a rule list, screened by the event's raw line where the list has a screen. The line is lower-cased
   * once per event, and only when a screened list is evaluated: most events meet only short lists.
   */
  private evaluateList(list: readonly DetectionRule[], event: Event, out: Detection[]): void {
    const screen = this.screenOf(list);
    const line = screen ? rawLineOf(event) : undefined;
    if (line !== undefined) {
      this.lower ??= line.toLowerCase();
      for (const rule of screen!.pick(line, this.lower, this.picks)) this.evaluate(rule, event, out);
    } else for (const rule of list) this.evaluate(rule, event, out);
  }

  /** The list's screen, built on first use; none for a short list or with screening off. */
  private screenOf(list: readonly DetectionRule[]): LiteralScreen | undefined {
    if (!this.screening || list.length < SCREEN_MIN_RULES) return undefined;
    let screen = this.screens.get(list);
    if (!screen) this.screens.set(list, (screen = new LiteralScreen(list)));
    return screen;
  }

  private evaluate(rule: DetectionRule, event: Event, out: Detection[]): void {
    if (!rule.match[event.format](event.data)) return;
    this.counters.matches++;
    if (this.singles && this.emits.has(rule)) out.push(single(rule, event));
    const feeds = this.eventFeeds.get(rule);
    if (!feeds) return;
    for (const feed of feeds) {
      const key = readKey(feed.group[event.format], event.data);
      if (this.correlate && (key === null || !this.correlate(feed.rule, key, event))) continue;
      let value: string | undefined;
      if (feed.value) {
        value = readValue(feed.value[event.format], event.data);
        if (value === undefined) continue;
      }
      const firing = this.observe(feed.table, { index: feed.index, time: event.time, key, value, events: event });
      if (firing) this.fired(firing, out);
    }
  }

  /** A correlation fired: emit it (unless silenced) and feed the correlations built on it. */
  private fired(f: CorrelationFiring, out: Detection[]): void {
    if (this.emits.has(f.rule)) out.push(correlated(f));
    this.feedChained(f, out, true);
  }

  /**
   * Feeds a firing to the correlations built on it. Those whose (rule, group) this detector does not correlate
   * are handed to `forward` when the firing was made here (`own`), and left alone when it came from elsewhere:
   * its own detector forwarded it to each partition that owns one of them.
   */
  private feedChained(f: CorrelationFiring, out: Detection[], own: boolean): void {
    const feeds = this.firingFeeds.get(f.rule);
    if (!feeds) return;
    for (const feed of feeds) {
      const values = feed.group.map((g) => f.group[g]);
      const key = values.some((v) => v === undefined || v === '') ? null : groupKey(values as string[]);
      if (key !== null && this.correlate && !this.correlate(feed.rule, key)) {
        if (own) this.forward?.(f, feed.rule, key);
        continue;
      }
      let value: string | undefined;
      if (feed.value) {
        const parts = feed.value.map((g) => f.group[g]);
        if (parts.some((v) => v === undefined)) continue;
        value = (parts.length === 1 ? parts[0]! : JSON.stringify(parts)).toLowerCase();
      }
      const next = this.observe(feed.table, { index: feed.index, time: f.time, key, value, events: f.events });
      if (next) this.fired(next, out);
    }
  }
}

/**
 * Rules whose own firings are not emitted: those a correlation references without `generate: true` (or, with
 * Vigil's list form, without naming them). One silencing reference is enough, as in pySigma.
 */
export function silencedRules(ruleSet: RuleSet): Set<Rule> {
  const byRef = new Map<string, Rule>();
  for (const r of ruleSet.rules) {
    byRef.set(r.ref.id, r);
    if (r.name) byRef.set(r.name, r);
  }
  const silenced = new Set<Rule>();
  for (const c of ruleSet.rules) {
    if (c.kind !== 'correlation' || c.generate === true) continue;
    for (const ref of c.rules) {
      const base = byRef.get(ref);
      if (base && !(Array.isArray(c.generate) && c.generate.includes(ref))) silenced.add(base);
    }
  }
  return silenced;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The group key of an event, or null when a group-by value is missing or empty (sigma.md §2.2 (a)). */
function readKey(accessors: Accessor[], data: Record<string, unknown>): string | null {
  if (accessors.length === 1) {
    const v = text(accessors[0]!(data));
    return v === undefined || v === '' ? null : v;
  }
  const values: string[] = [];
  for (const a of accessors) {
    const v = text(a(data));
    if (v === undefined || v === '') return null;
    values.push(v);
  }
  return groupKey(values);
}

/**
 * The counted value of value_count, lower-cased: Windows account names and host names are case-insensitive,
 * so "Admin" and "admin" are one account, not two. Several fields count their distinct tuple.
 */
function readValue(accessors: Accessor[], data: Record<string, unknown>): string | undefined {
  if (accessors.length === 1) return text(accessors[0]!(data))?.toLowerCase();
  const parts: string[] = [];
  for (const a of accessors) {
    const v = text(a(data));
    if (v === undefined) return undefined;
    parts.push(v.toLowerCase());
  }
  return JSON.stringify(parts);
}

function single(rule: DetectionRule, event: Event): Detection {
  return {
    id: detectionId(rule.ref.id, {}, event.id, event.time),
    rule: rule.ref,
    time: event.time,
    firstTime: event.time,
    group: {},
    count: 1,
    eventIds: [event.id],
    events: [event],
  };
}

/** The id of a correlation's firing as a detection (the same whichever node or partition makes it). */
export function firingId(f: CorrelationFiring): string {
  const last = f.events[f.events.length - 1];
  // The last event's own time, not the firing's: a window closed by the clock may close at another moment on another node.
  return last ? detectionId(f.rule.ref.id, f.group, last.id, last.time) : detectionId(f.rule.ref.id, f.group, `@${f.time}`, f.time);
}

function correlated(f: CorrelationFiring): Detection {
  return {
    id: firingId(f),
    rule: f.rule.ref,
    time: f.time,
    firstTime: f.firstTime,
    group: f.group,
    // A chained firing counts as one input of the outer correlation but brings its own events.
    count: Math.max(f.count, f.events.length),
    eventIds: f.events.map((e) => e.id),
    events: f.events,
  };
}

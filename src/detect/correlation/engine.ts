// Streaming correlations over event time: per correlation and group-by value, a sliding window of matches.
//
// Lateness is measured per group: a match more than `lateness` older than the newest match of its own group is
// too late to be placed in its window; it is skipped and counted (`late`), never silently. Within the lateness a
// match is placed in time order, so input shuffled by a few seconds detects the same bursts as sorted input.
// Per group rather than one global watermark, so an agent whose alerts arrive behind the others' (a reconnecting
// agent flushing its buffer, a file replayed after another) is still correlated on its own timeline.
//
// Re-fire policy (README "Correlations"): a group fires once when its condition is first met, then stays quiet
// while the burst goes on; the burst ends when a whole timespan passes with no match for the group, and the
// next match starts afresh. One detection per attack burst, not one per event. The same holds for every type.
//
// Memory: each correlation keeps its groups in one Map in least-recently-used order. The least recently used
// groups whose newest match fell behind `watermark - lateness - timespan` (the watermark: the newest event time
// seen) are done with and dropped (`expired`). All groups
// together are capped at maxGroups; beyond it the least recently seen group is evicted and counted
// (`evictions`).
import { systemClock, type Clock } from '../../clock.js';
import type { Event } from '../../model/index.js';
import type { CorrelationRule } from '../rules.js';
import { EvidenceRing } from './evidence.js';
import { Slots } from './slots.js';
import { newState, specOf, type Spec } from './windows.js';

/** How many contributing events a firing carries as evidence; `count` stays exact beyond it. */
export const EVIDENCE_CAP = 50;

export interface CorrelationInput {
  /** Position of the matched rule in the correlation's `rules`. */
  index: number;
  time: number;
  /** The group key (see groupKey); null when a group-by value is missing: such input is skipped. */
  key: string | null;
  /** value_count: the counted value (already folded to lower case). */
  value?: string;
  /** The event, or a chained firing's evidence. */
  events: Event | Event[];
}

export interface CorrelationFiring {
  rule: CorrelationRule;
  key: string;
  group: Record<string, string>;
  time: number;
  firstTime: number;
  count: number;
  events: Event[];
}

/** Matches a fired group absorbed since the last take: the burst goes on, and its incident should count them. */
export interface BurstContinuation {
  rule: CorrelationRule;
  group: Record<string, string>;
  count: number;
  /** Newest event time among them. */
  lastTime: number;
  /** The absorbed events themselves, the first CONTINUATION_CAP of them: the incident shows them as evidence. */
  events: Event[];
}

const NONE: BurstContinuation[] = [];

/** Absorbed events kept per group between takes (their count is always exact). */
export const CONTINUATION_CAP = 1000;

export interface EngineOptions {
  maxGroups: number;
  /** Milliseconds an input may lag behind the newest event time and still count. */
  lateness: number;
  /** Recent inputs kept for evidence (see evidence.ts). */
  evidenceSize: number;
  /**
   * How far ahead of the clock an event time may be. A later one (a host with a wrong clock, or a forged time)
   * would otherwise move the watermark ahead, expiring every group, or poison its group's lateness; it is not
   * correlated and is counted (`future`). Infinity turns the check off (replaying old files needs no clock).
   */
  maxFuture: number;
  clock: Clock;
}

/** The groups of one correlation rule: group key → slot, in least-recently-used order. */
export class CorrelationTable {
  readonly groups = new Map<string, number>();
  readonly slots = new Slots();
  readonly spec: Spec;
  /** The watermark at the last expiry sweep. */
  swept = -Infinity;
  constructor(readonly rule: CorrelationRule) {
    this.spec = specOf(rule);
  }
}

/** The group key: the value itself for one group-by field, a JSON array for several (no separator to forge). */
export function groupKey(values: string[]): string {
  return values.length === 1 ? values[0]! : JSON.stringify(values);
}

export function groupOf(rule: CorrelationRule, key: string): Record<string, string> {
  const values: string[] = rule.groupBy.length === 1 ? [key] : rule.groupBy.length === 0 ? [] : JSON.parse(key);
  const group: Record<string, string> = {};
  rule.groupBy.forEach((f, i) => (group[f] = values[i]!));
  return group;
}

export class CorrelationEngine {
  readonly tables: CorrelationTable[] = [];
  private readonly ring: EvidenceRing;
  private total = 0;
  watermark = -Infinity;
  evictions = 0;
  expired = 0;
  late = 0;
  future = 0;
  /** Absorbed matches per fired group since the last takeContinuations(); at most one entry per group. */
  private continued = new Map<CorrelationTable, Map<string, { count: number; last: number; events: Event[] }>>();
  /**
   * Continuations of bursts that ended since the last takeSealed(): their group started a new burst, so what
   * they absorbed belongs to the old burst's incident and must not be summed with the new one's.
   */
  private sealed: BurstContinuation[] = [];

  constructor(private readonly options: EngineOptions) {
    this.ring = new EvidenceRing(options.evidenceSize);
  }

  table(rule: CorrelationRule): CorrelationTable {
    const t = new CorrelationTable(rule);
    this.tables.push(t);
    return t;
  }

  get size(): number {
    return this.total;
  }

  /** Advances event time. Called for every event, matched or not. */
  advance(time: number): void {
    if (time > this.watermark && !this.ahead(time)) this.watermark = time;
  }

  /**
   * The latest event time known not to be ahead: the clock plus maxFuture when the clock was last read. The clock
   * moves on, so a time at or before it is not ahead without reading the clock (an in-order stream reads it once
   * a day of maxFuture instead of once per event); a later one reads it again.
   */
  private notAheadUpTo = -Infinity;

  private ahead(time: number): boolean {
    if (this.options.maxFuture === Infinity || time <= this.notAheadUpTo) return false;
    this.notAheadUpTo = this.options.clock() + this.options.maxFuture;
    return time > this.notAheadUpTo;
  }

  observe(table: CorrelationTable, input: CorrelationInput): CorrelationFiring | null {
    const { key, time, index, value } = input;
    if (key === null) return null;
    if (time > this.watermark && this.ahead(time)) {
      this.future++;
      return null;
    }
    const { groups, slots, spec } = table;
    const lateness = this.options.lateness;
    let slot = groups.get(key);
    let fresh = false;
    if (slot !== undefined) {
      const last = slots.last[slot]!;
      if (time < last - lateness) {
        this.late++;
        return null;
      }
      groups.delete(key); // re-inserted: keeps the Map in least-recently-used order
      groups.set(key, slot);
      if (slots.fired[slot] === 1) {
        if (time - last <= spec.timespan) {
          if (time > last) slots.last[slot] = time;
          this.noteContinuation(table, key, time, input.events);
          return null; // the burst goes on
        }
        // A quiet timespan passed: a new burst starts with this match.
        this.seal(table, key);
        slots.fired[slot] = 0;
        slots.state[slot] = undefined;
        slots.ev[slot] = 0;
        fresh = true;
      }
    } else {
      // Sweep at most once per second of event time: groups expire by the minute, and a sweep walks a Map iterator.
      if (this.watermark - table.swept >= 1000) this.expire(table);
      if (this.total >= this.options.maxGroups) this.makeRoom();
      slot = slots.alloc();
      groups.set(key, slot);
      this.total++;
      fresh = true;
    }
    // A group's first match stays a line in the ring (most groups never see a second: a flood of distinct
    // addresses is a million of them); the matches after it are kept parsed, for the firing they lead to.
    this.ring.push(slots, slot, time, input.events, !fresh);
    if (fresh && spec.need > 1) {
      // One match cannot meet the condition: keep it in the columns, make no window object yet.
      slots.last[slot] = time;
      slots.index0[slot] = index;
      slots.value0[slot] = value;
      return null;
    }
    const previous = fresh ? -Infinity : slots.last[slot]!;
    const newest = Math.max(previous, time);
    const horizon = newest - lateness - spec.timespan;
    let state = slots.state[slot];
    if (state === undefined) {
      state = newState(table.rule, spec);
      if (!fresh) state.add(slots.index0[slot]!, previous, slots.value0[slot], horizon);
      slots.state[slot] = state;
      slots.value0[slot] = undefined;
    }
    slots.last[slot] = newest;
    const met = state.add(index, time, value, horizon);
    if (!met) return null;
    slots.fired[slot] = 1;
    slots.state[slot] = undefined; // a fired burst needs only its newest time
    if (met.time > newest) slots.last[slot] = met.time;
    return {
      rule: table.rule,
      key,
      group: groupOf(table.rule, key),
      time: met.time,
      firstTime: met.firstTime,
      count: met.count,
      events: this.ring.collect(slots, slot, met.firstTime, met.time, EVIDENCE_CAP, input.events),
    };
  }

  private noteContinuation(table: CorrelationTable, key: string, time: number, events: Event | Event[]): void {
    let byKey = this.continued.get(table);
    if (!byKey) this.continued.set(table, (byKey = new Map()));
    let c = byKey.get(key);
    if (c) {
      c.count++;
      if (time > c.last) c.last = time;
    } else byKey.set(key, (c = { count: 1, last: time, events: [] }));
    for (const e of Array.isArray(events) ? events : [events]) if (c.events.length < CONTINUATION_CAP) c.events.push(e);
  }

  /** Sets aside what the group's ended burst absorbed, to be counted apart from its next burst. */
  private seal(table: CorrelationTable, key: string): void {
    const byKey = this.continued.get(table);
    const c = byKey?.get(key);
    if (!c) return;
    byKey!.delete(key);
    this.sealed.push({ rule: table.rule, group: groupOf(table.rule, key), count: c.count, lastTime: c.last, events: c.events });
  }

  /** Continuations of bursts that ended since the last call (see `sealed`), oldest first; clears them. */
  takeSealed(): BurstContinuation[] {
    if (this.sealed.length === 0) return NONE;
    const out = this.sealed;
    this.sealed = [];
    return out;
  }

  /** The matches fired groups absorbed since the last call, summed per group; clears them. */
  takeContinuations(): BurstContinuation[] {
    const out: BurstContinuation[] = [];
    for (const [table, byKey] of this.continued)
      for (const [key, c] of byKey) out.push({ rule: table.rule, group: groupOf(table.rule, key), count: c.count, lastTime: c.last, events: c.events });
    this.continued.clear();
    return out;
  }

  /** Drops the table's groups that can no longer fire, oldest first (amortized O(1) per input). */
  private expire(table: CorrelationTable): void {
    table.swept = this.watermark;
    const horizon = this.watermark - this.options.lateness - table.spec.timespan;
    const { groups, slots } = table;
    for (const [key, slot] of groups) {
      if (slots.last[slot]! >= horizon) break;
      groups.delete(key);
      slots.release(slot);
      this.total--;
      this.expired++;
    }
  }

  /** At the cap: first drop expired groups everywhere, then evict the least recently seen group. */
  private makeRoom(): void {
    for (const t of this.tables) this.expire(t);
    if (this.total < this.options.maxGroups) return;
    let victim: CorrelationTable | undefined;
    let oldest = Infinity;
    for (const t of this.tables) {
      const first = t.groups.values().next();
      if (!first.done && t.slots.last[first.value]! < oldest) {
        oldest = t.slots.last[first.value]!;
        victim = t;
      }
    }
    if (!victim) return;
    const [key, slot] = victim.groups.entries().next().value as [string, number];
    victim.groups.delete(key);
    victim.slots.release(slot);
    this.total--;
    this.evictions++;
  }
}

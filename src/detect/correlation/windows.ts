// Per-group window state of one correlation, one class per correlation type, for groups with two matches or
// more (a group's first match lives in the engine's columns: see slots.ts). Only times (and, for value_count,
// the distinct values) are kept here; the events themselves stay in the engine's evidence ring.
//
// Windows slide on event time (sigma.md §2.2): a condition holds when some span of `timespan` contains enough
// matches. Input may be out of order by up to the engine's lateness, so each state keeps its times sorted and
// checks every window the new match can belong to.
import type { CorrelationRule } from '../rules.js';

/** The window that met the condition. */
export interface Met {
  firstTime: number;
  time: number;
  /** Matches inside the window (events; for chained input, firings). */
  count: number;
}

export abstract class GroupState {
  /** Newest match time seen. */
  last = -Infinity;

  /** Records a match of the `index`-th referenced rule; returns the window when the condition is met. */
  abstract add(index: number, time: number, value: string | undefined, horizon: number): Met | null;
}

export interface Spec {
  timespan: number;
  /** The threshold as "at least": gt N is gte N+1. */
  need: number;
  rules: number;
}

export function specOf(rule: CorrelationRule): Spec {
  const c = rule.condition;
  return { timespan: rule.timespan, need: c.op === 'gt' ? c.value + 1 : c.value, rules: rule.rules.length };
}

/** Inserts into a sorted array; returns the index. In-order input appends, the common case. */
function insertSorted(list: number[], t: number): number {
  let i = list.length;
  while (i > 0 && list[i - 1]! > t) i--;
  if (i === list.length) list.push(t);
  else list.splice(i, 0, t);
  return i;
}

/** Drops times older than the horizon (no future match, even a late one, can share a window with them). */
function prune(list: number[], horizon: number): number {
  let n = 0;
  while (n < list.length && list[n]! < horizon) n++;
  if (n > 0) list.splice(0, n);
  return n;
}

/** Times in [end - timespan, end] of a sorted list: [count, first]. */
function within(list: number[], end: number, timespan: number): [number, number] {
  let count = 0;
  let first = end;
  for (const t of list) {
    if (t < end - timespan || t > end) continue;
    if (count === 0) first = t;
    count++;
  }
  return [count, first];
}

export class CountState extends GroupState {
  private times: number[] = [];
  constructor(private readonly spec: Spec) {
    super();
  }

  add(_index: number, t: number, _value: string | undefined, horizon: number): Met | null {
    const { need, timespan } = this.spec;
    const times = this.times;
    let idx = insertSorted(times, t);
    idx -= prune(times, horizon);
    if (t > this.last) this.last = t;
    if (need <= 0) return { firstTime: t, time: t, count: 1 };
    // Any `need` consecutive matches within one timespan that include the new one.
    for (let i = Math.max(0, idx - need + 1); i <= idx && i + need - 1 < times.length; i++) {
      const end = times[i + need - 1]!;
      if (end - times[i]! <= timespan) {
        const [count, firstTime] = within(times, end, timespan);
        return { firstTime, time: end, count };
      }
    }
    // Before the condition holds a group holds fewer than `need` matches per timespan; the cap only bites on
    // input spread just wider than the window, and dropping its oldest times cannot hide a burst.
    if (times.length > 4 * need + 16) times.splice(0, times.length - (4 * need + 16));
    return null;
  }
}

interface Seen {
  first: number;
  last: number;
  n: number;
}

/**
 * value_count: the newest time of each distinct value. A value repeated a thousand times costs one entry, so a
 * group stays bounded by the number of distinct values it has seen inside the horizon.
 */
export class ValueState extends GroupState {
  private values = new Map<string, Seen>();
  constructor(private readonly spec: Spec) {
    super();
  }

  /** Distinct values held (bounded: tests and the benchmark read it). */
  get size(): number {
    return this.values.size;
  }

  add(_index: number, t: number, value: string | undefined, horizon: number): Met | null {
    if (value === undefined) return null;
    const { need, timespan } = this.spec;
    const seen = this.values.get(value);
    if (seen) {
      if (t > seen.last) seen.last = t;
      if (t < seen.first) seen.first = t;
      seen.n++;
    } else this.values.set(value, { first: t, last: t, n: 1 });
    if (t > this.last) this.last = t;
    // The window ends at the newest match: late input counts when it falls inside it.
    const end = this.last;
    let distinct = 0;
    let count = 0;
    let firstTime = end;
    for (const [v, s] of this.values) {
      if (s.last < horizon) {
        this.values.delete(v);
        continue;
      }
      if (s.last < end - timespan) continue;
      distinct++;
      count += s.n;
      const from = Math.max(s.first, end - timespan);
      if (from < firstTime) firstTime = from;
    }
    if (distinct >= need) return { firstTime, time: end, count };
    const cap = 4 * need + 16;
    if (this.values.size > cap) {
      // Oldest first: a Map iterates in insertion order, and re-seen values keep their place, so drop by time.
      const oldest = [...this.values].sort((a, b) => a[1].last - b[1].last).slice(0, this.values.size - cap);
      for (const [v] of oldest) this.values.delete(v);
    }
    return null;
  }
}

/** How many recent times per referenced rule a temporal group keeps. */
export const TEMPORAL_KEEP = 16;

/** temporal and temporal_ordered: recent match times per referenced rule. */
export class TemporalState extends GroupState {
  private lists: number[][];
  constructor(
    private readonly spec: Spec,
    private readonly ordered: boolean,
  ) {
    super();
    this.lists = Array.from({ length: spec.rules }, () => []);
  }

  add(index: number, t: number, _value: string | undefined, horizon: number): Met | null {
    const list = this.lists[index]!;
    insertSorted(list, t);
    if (list.length > TEMPORAL_KEEP) list.shift();
    for (const l of this.lists) prune(l, horizon);
    if (t > this.last) this.last = t;
    return this.ordered ? this.chain() : this.together(t);
  }

  /** temporal: some window of `timespan` that holds the new match and matches of `need` distinct rules. */
  private together(t: number): Met | null {
    const { need, timespan } = this.spec;
    const ends = this.lists.flat().filter((e) => e >= t && e <= t + timespan);
    ends.sort((a, b) => a - b);
    for (const end of ends) {
      let rules = 0;
      let count = 0;
      let firstTime = end;
      for (const l of this.lists) {
        const [n, first] = within(l, end, timespan);
        if (n === 0) continue;
        rules++;
        count += n;
        if (first < firstTime) firstTime = first;
      }
      if (rules >= need) return { firstTime, time: end, count };
    }
    return null;
  }

  /**
   * temporal_ordered: a chain t1 ≤ t2 ≤ … ≤ tk, one match of each rule in the listed order, with tk - t1 within
   * the timespan (Hayabusa's reading, sigma.md §2.2). For each start, the earliest next match of each
   * following rule gives the shortest chain from that start.
   */
  private chain(): Met | null {
    const { timespan } = this.spec;
    const first = this.lists[0]!;
    for (let s = first.length - 1; s >= 0; s--) {
      const t1 = first[s]!;
      let prev = t1;
      let ok = true;
      for (let k = 1; k < this.lists.length && ok; k++) {
        const next = this.lists[k]!.find((x) => x >= prev);
        if (next === undefined) ok = false;
        else prev = next;
      }
      if (ok && prev - t1 <= timespan) {
        let count = 0;
        for (const l of this.lists) for (const x of l) if (x >= t1 && x <= prev) count++;
        return { firstTime: t1, time: prev, count };
      }
    }
    return null;
  }
}

export function newState(rule: CorrelationRule, spec: Spec): GroupState {
  switch (rule.type) {
    case 'event_count':
      return new CountState(spec);
    case 'value_count':
      return new ValueState(spec);
    case 'temporal':
      return new TemporalState(spec, false);
    case 'temporal_ordered':
      return new TemporalState(spec, true);
    default:
      throw new Error(`${rule.type} is judged when its window closes (closing.ts), not in the sliding engine`);
  }
}

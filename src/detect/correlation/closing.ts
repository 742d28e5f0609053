// Correlations whose condition can only be judged when a window closes: "fewer than" (lt, lte), "exactly" (eq),
// "other than" (neq), ranges (two operators, e.g. gt 100 and lte 200), and the metric types value_sum,
// value_avg and value_percentile (a sum can fall again, an average and a percentile move both ways).
//
// In a stream a sliding window never closes, so these use a window per group that opens at the group's first
// match and spans `timespan` (the window a SIEM's `stats … by` over that span would see). It closes when event
// time passes its end by the engine's lateness (any event moves event time), or at the end of the input (replay,
// rule tests: Detector.flush); then its measure is compared with every operator of the condition and the
// correlation fires once for the window. The next match of the group opens the next window. Only groups with at
// least one match exist: "fewer than 3 logons" is judged for the users that logged on, never for the silent ones.
import type { Event } from '../../model/index.js';
import type { CompareOp, CorrelationRule } from '../rules.js';
import { EVIDENCE_CAP, groupOf, type CorrelationFiring, type CorrelationInput } from './engine.js';

/** Most numeric values a value_percentile window keeps (the newest); the count stays exact. */
export const PERCENTILE_KEEP = 10_000;

interface Window {
  start: number;
  end: number;
  last: number;
  count: number;
  rules: Set<number>;
  distinct: Set<string>;
  sum: number;
  numbers: number;
  values: number[];
  events: Event[];
}

export function compare(op: CompareOp, x: number, v: number): boolean {
  switch (op) {
    case 'gt':
      return x > v;
    case 'gte':
      return x >= v;
    case 'lt':
      return x < v;
    case 'lte':
      return x <= v;
    case 'eq':
      return x === v;
    case 'neq':
      return x !== v;
  }
}

/** Nearest-rank percentile (1-100) of the values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** The windows of one closing correlation. */
export class ClosingTable {
  private readonly groups = new Map<string, Window>();
  /** Open windows in the order they opened (their ends are in the same order: one timespan per table). */
  private readonly queue: { key: string; w: Window }[] = [];
  late = 0;
  evictions = 0;

  constructor(
    readonly rule: CorrelationRule,
    private readonly lateness: number,
    private readonly maxGroups: number,
  ) {}

  get size(): number {
    return this.groups.size;
  }

  /** Records a match; a match after its group's window ends closes that window first (which may fire). */
  observe(input: CorrelationInput): CorrelationFiring | null {
    const { key, time } = input;
    if (key === null) return null;
    let w = this.groups.get(key);
    let fired: CorrelationFiring | null = null;
    if (w && time > w.end) {
      fired = this.close(key, w);
      w = undefined;
    }
    if (w && time < w.start - this.lateness) {
      this.late++;
      return fired;
    }
    if (!w) {
      if (this.groups.size >= this.maxGroups) this.evictOldest();
      w = { start: time, end: time + this.rule.timespan, last: time, count: 0, rules: new Set(), distinct: new Set(), sum: 0, numbers: 0, values: [], events: [] };
      this.groups.set(key, w);
      this.queue.push({ key, w });
    }
    w.count++;
    w.rules.add(input.index);
    if (time > w.last) w.last = time;
    if (time < w.start) w.start = time;
    const v = input.value;
    if (v !== undefined) {
      w.distinct.add(v);
      const n = Number(v);
      if (v.trim() !== '' && Number.isFinite(n)) {
        w.sum += n;
        w.numbers++;
        if (this.rule.type === 'value_percentile') {
          w.values.push(n);
          if (w.values.length > PERCENTILE_KEEP) w.values.shift();
        }
      }
    }
    for (const e of Array.isArray(input.events) ? input.events : [input.events]) {
      w.events.push(e);
      if (w.events.length > EVIDENCE_CAP) w.events.shift();
    }
    return fired;
  }

  /** Closes the windows whose end is more than the lateness behind `watermark`; returns their firings. */
  due(watermark: number): CorrelationFiring[] {
    const out: CorrelationFiring[] = [];
    while (this.queue.length > 0 && this.queue[0]!.w.end + this.lateness < watermark) {
      const { key, w } = this.queue.shift()!;
      if (this.groups.get(key) !== w) continue; // closed already by a later match of its group
      const f = this.close(key, w);
      if (f) out.push(f);
    }
    return out;
  }

  /** Closes every open window (end of input). */
  flush(): CorrelationFiring[] {
    const out: CorrelationFiring[] = [];
    for (const { key, w } of this.queue.splice(0)) {
      if (this.groups.get(key) !== w) continue;
      const f = this.close(key, w);
      if (f) out.push(f);
    }
    return out;
  }

  /** The window's measure for the correlation's type. */
  measure(w: Window): number {
    switch (this.rule.type) {
      case 'event_count':
        return w.count;
      case 'value_count':
        return w.distinct.size;
      case 'temporal':
      case 'temporal_ordered':
        return w.rules.size;
      case 'value_sum':
        return w.numbers > 0 ? w.sum : NaN;
      case 'value_avg':
        return w.numbers > 0 ? w.sum / w.numbers : NaN;
      case 'value_percentile':
        return percentile(w.values, this.rule.condition.percentile ?? 50);
    }
  }

  private close(key: string, w: Window): CorrelationFiring | null {
    this.groups.delete(key);
    const m = this.measure(w);
    if (Number.isNaN(m) || !this.rule.condition.ops.every((c) => compare(c.op, m, c.value))) return null;
    return { rule: this.rule, key, group: groupOf(this.rule, key), time: w.last, firstTime: w.start, count: w.count, events: w.events };
  }

  private evictOldest(): void {
    const first = this.groups.keys().next();
    if (first.done) return;
    this.groups.delete(first.value);
    this.evictions++;
  }
}

// Streaming correlations over event time: per rule and group-by bucket, a sliding window of matches.
//
// Re-fire policy (documented in the README): a bucket fires once when its condition is first met, then stays
// quiet while the burst goes on; the burst ends when the window holds no event (no match for a whole
// timespan). The next burst can fire again. One detection per attack burst, not one per event.
//
// Memory: buckets live in one Map in least-recently-used order, capped at maxGroups. Beyond the cap the
// oldest bucket is evicted and counted (`evictions`), never silently.
import type { Event } from '../../model/index.js';
import type { CorrelationRule } from '../rules.js';

/** How many contributing events a bucket keeps for evidence; counts stay exact beyond it. */
export const EVIDENCE_CAP = 50;

interface Hit {
  time: number;
  event: Event;
  value?: string;
}

interface Bucket {
  rule: CorrelationRule;
  group: Record<string, string>;
  hits: Hit[];
  /** Set once the bucket fired in the current burst. */
  fired: boolean;
  /** While fired: the newest event time, which decides when the burst ends. */
  lastTime: number;
}

export interface CorrelationFiring {
  rule: CorrelationRule;
  group: Record<string, string>;
  hits: Hit[];
  count: number;
}

export class CorrelationEngine {
  private buckets = new Map<string, Bucket>();
  evictions = 0;

  constructor(private readonly maxGroups: number) {}

  get size(): number {
    return this.buckets.size;
  }

  /**
   * Feeds one event that matched one of the rule's referenced rules. `groupValues` are the event's
   * group-by values, or null when one is missing (such events are skipped: sigma.md §2.2 (a)).
   */
  observe(rule: CorrelationRule, event: Event, groupValues: string[] | null, value?: string): CorrelationFiring | null {
    if (groupValues === null) return null;
    const key = rule.ref.id + '\u0000' + groupValues.join('\u0000');
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-insert below: keeps the Map in LRU order
    } else {
      const group: Record<string, string> = {};
      rule.groupBy.forEach((f, i) => (group[f] = groupValues[i]!));
      bucket = { rule, group, hits: [], fired: false, lastTime: 0 };
      if (this.buckets.size >= this.maxGroups) this.evictOldest();
    }
    this.buckets.set(key, bucket);

    const t = event.time;
    if (bucket.fired) {
      // A fired bucket keeps only the newest time: the burst ends after a whole timespan with no match.
      if (t - bucket.lastTime <= rule.timespan) {
        if (t > bucket.lastTime) bucket.lastTime = t;
        return null;
      }
      bucket.fired = false;
      bucket.hits = [];
    }
    const horizon = t - rule.timespan;
    let drop = 0;
    while (drop < bucket.hits.length && bucket.hits[drop]!.time < horizon) drop++;
    if (drop > 0) bucket.hits.splice(0, drop);

    // Insert in time order: input may arrive a little out of order.
    let i = bucket.hits.length;
    while (i > 0 && bucket.hits[i - 1]!.time > t) i--;
    bucket.hits.splice(i, 0, { time: t, event, value });

    const measure = rule.type === 'value_count' ? new Set(bucket.hits.map((h) => h.value)).size : bucket.hits.length;
    if (compare(measure, rule.condition.op, rule.condition.value)) {
      bucket.fired = true;
      bucket.lastTime = bucket.hits[bucket.hits.length - 1]!.time;
      const firing = { rule, group: bucket.group, hits: bucket.hits.slice(-EVIDENCE_CAP), count: bucket.hits.length };
      bucket.hits = []; // the firing owns the evidence now
      return firing;
    }
    return null;
  }

  private evictOldest(): void {
    const oldest = this.buckets.keys().next();
    if (!oldest.done) {
      this.buckets.delete(oldest.value);
      this.evictions++;
    }
  }
}

export function compare(measure: number, op: CorrelationRule['condition']['op'], value: number): boolean {
  switch (op) {
    case 'gt':
      return measure > value;
    case 'gte':
      return measure >= value;
    case 'lt':
      return measure < value;
    case 'lte':
      return measure <= value;
    case 'eq':
      return measure === value;
    case 'neq':
      return measure !== value;
  }
}

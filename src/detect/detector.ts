// The detect stage: events in, detections out. Single-event rules fire directly; rules referenced by a
// correlation feed it instead (unless the correlation says `generate: true`).
import { createHash } from 'node:crypto';
import type { Detection, Event, EventFormat } from '../model/index.js';
import { CorrelationEngine, type CorrelationFiring } from './correlation/engine.js';
import { accessor, fieldPath, type Accessor } from './fields.js';
import { FORMATS, type CorrelationRule, type DetectionRule, type RuleSet } from './rules.js';
import { asText } from './sigma/values.js';

export interface DetectorOptions {
  maxGroups?: number;
}

interface CorrelationPlan {
  rule: CorrelationRule;
  groupBy: Record<EventFormat, Accessor[]>;
  field?: Record<EventFormat, Accessor>;
}

export interface DetectorStats {
  events: number;
  matches: number;
  detections: number;
  correlationGroups: number;
  correlationEvictions: number;
}

export function detectionId(ruleId: string, group: Record<string, string>, eventId: string): string {
  return createHash('sha1').update(`${ruleId}\u0000${JSON.stringify(group)}\u0000${eventId}`).digest('hex').slice(0, 20);
}

export class Detector {
  private readonly detectionRules: DetectionRule[];
  /** For each detection rule: the correlations it feeds. */
  private readonly feeds = new Map<DetectionRule, CorrelationPlan[]>();
  /** Detection rules whose own firings are emitted. */
  private readonly emits = new Set<DetectionRule>();
  private readonly engine: CorrelationEngine;
  private counters = { events: 0, matches: 0, detections: 0 };

  constructor(ruleSet: RuleSet, options: DetectorOptions = {}) {
    this.engine = new CorrelationEngine(options.maxGroups ?? 1_000_000);
    this.detectionRules = ruleSet.rules.filter((r): r is DetectionRule => r.kind === 'detection');
    const byRef = new Map<string, DetectionRule>();
    for (const r of this.detectionRules) {
      byRef.set(r.ref.id, r);
      if (r.name) byRef.set(r.name, r);
    }
    const silenced = new Set<DetectionRule>();
    for (const c of ruleSet.rules) {
      if (c.kind !== 'correlation') continue;
      const plan: CorrelationPlan = {
        rule: c,
        groupBy: Object.fromEntries(FORMATS.map((f) => [f, c.groupBy.map((g) => accessor(fieldPath(f, g)))])) as Record<EventFormat, Accessor[]>,
        field: c.condition.field
          ? (Object.fromEntries(FORMATS.map((f) => [f, accessor(fieldPath(f, c.condition.field!))])) as Record<EventFormat, Accessor>)
          : undefined,
      };
      for (const ref of c.rules) {
        const base = byRef.get(ref);
        if (!base) continue; // correlation chaining is resolved by the rule loader's reference check
        if (!this.feeds.has(base)) this.feeds.set(base, []);
        this.feeds.get(base)!.push(plan);
        if (!c.generate) silenced.add(base);
      }
    }
    for (const r of this.detectionRules) if (!silenced.has(r)) this.emits.add(r);
  }

  get stats(): DetectorStats {
    return {
      ...this.counters,
      correlationGroups: this.engine.size,
      correlationEvictions: this.engine.evictions,
    };
  }

  process(event: Event): Detection[] {
    this.counters.events++;
    const out: Detection[] = [];
    const data = event.data;
    for (const rule of this.detectionRules) {
      if (!rule.match[event.format](data)) continue;
      this.counters.matches++;
      if (this.emits.has(rule)) out.push(this.single(rule, event));
      const plans = this.feeds.get(rule);
      if (!plans) continue;
      for (const plan of plans) {
        const values = groupValues(plan.groupBy[event.format], data);
        const value = plan.field ? asText(plan.field[event.format](data)) : undefined;
        if (plan.field && value === undefined) continue;
        const firing = this.engine.observe(plan.rule, event, values, value);
        if (firing) out.push(this.correlated(firing));
      }
    }
    this.counters.detections += out.length;
    return out;
  }

  private single(rule: DetectionRule, event: Event): Detection {
    return {
      id: detectionId(rule.ref.id, {}, event.id),
      rule: rule.ref,
      time: event.time,
      firstTime: event.time,
      group: {},
      count: 1,
      eventIds: [event.id],
      events: [event],
    };
  }

  private correlated(f: CorrelationFiring): Detection {
    const last = f.hits[f.hits.length - 1]!;
    return {
      id: detectionId(f.rule.ref.id, f.group, last.event.id),
      rule: f.rule.ref,
      time: last.time,
      firstTime: f.hits[0]!.time,
      group: f.group,
      count: f.count,
      eventIds: f.hits.map((h) => h.event.id),
      events: f.hits.map((h) => h.event),
    };
  }
}

function groupValues(accessors: Accessor[], data: Record<string, unknown>): string[] | null {
  const out: string[] = [];
  for (const a of accessors) {
    const v = asText(a(data));
    if (v === undefined || v === '') return null;
    out.push(v);
  }
  return out;
}

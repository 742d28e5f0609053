// Per-rule quality: how the incidents a rule opened over a period were judged (true positive, false positive,
// benign, no verdict yet), its false-positive ratio and how long people took to acknowledge them. A rule whose
// false-positive ratio reaches the threshold (tuning.fpThreshold, among at least tuning.minVerdicts verdicts) is
// flagged: the rules page offers to tune it (README "The tuning loop"). The counts are read through the incident
// repository (record.ts); the acknowledgement is the incident's as it stands (a reopen clears it).
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { verdictCountsByRule } from './record.js';

export interface QualityOptions {
  /** Incidents opened at or after this time (epoch ms)… */
  since: number;
  /** …and before this one. */
  until: number;
  fpThreshold: number;
  minVerdicts: number;
}

export interface RuleQuality {
  ruleId: string;
  incidents: number;
  truePositive: number;
  falsePositive: number;
  benign: number;
  /** Incidents without a verdict yet. */
  none: number;
  /** False positives / incidents with a verdict; null with no verdict. */
  fpRatio: number | null;
  acknowledged: number;
  /** Mean time from opening to acknowledgement over the acknowledged incidents; null when none was. */
  mttaMs: number | null;
  /** The false-positive ratio reached the threshold among enough verdicts. */
  flagged: boolean;
}

const KEYS = { true_positive: 'truePositive', false_positive: 'falsePositive', benign: 'benign' } as const;

/** Quality of every rule that opened an incident in the period, keyed by rule id. */
export async function ruleQuality(db: Kysely<Database>, o: QualityOptions): Promise<Map<string, RuleQuality>> {
  const out = new Map<string, RuleQuality & { ackSum: number }>();
  for (const r of await verdictCountsByRule(db, o.since, o.until)) {
    let q = out.get(r.ruleId);
    if (!q) {
      q = { ruleId: r.ruleId, incidents: 0, truePositive: 0, falsePositive: 0, benign: 0, none: 0, fpRatio: null, acknowledged: 0, mttaMs: null, flagged: false, ackSum: 0 };
      out.set(r.ruleId, q);
    }
    q.incidents += r.incidents;
    const key = r.verdict ? KEYS[r.verdict as keyof typeof KEYS] : undefined;
    if (key) q[key] += r.incidents;
    else q.none += r.incidents;
    q.acknowledged += r.acknowledged;
    q.ackSum += r.ackMs;
  }
  const result = new Map<string, RuleQuality>();
  for (const [id, { ackSum, ...q }] of out) {
    const judged = q.truePositive + q.falsePositive + q.benign;
    q.fpRatio = judged > 0 ? q.falsePositive / judged : null;
    q.mttaMs = q.acknowledged > 0 ? Math.round(ackSum / q.acknowledged) : null;
    q.flagged = q.fpRatio !== null && judged >= o.minVerdicts && q.fpRatio >= o.fpThreshold;
    result.set(id, q);
  }
  return result;
}

export { judgedIncidentsOf } from './record.js';

// Per-rule quality: how the incidents a rule opened over a period were judged (true positive, false positive,
// benign, no verdict yet), its false-positive ratio and how long people took to acknowledge them. A rule whose
// false-positive ratio reaches the threshold (tuning.fpThreshold, among at least tuning.minVerdicts verdicts) is
// flagged: the rules page offers to tune it (README "Tuning loop").
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

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
  const rows = await db
    .selectFrom('incidents')
    .select((eb) => [
      'rule_id',
      'verdict',
      eb.fn.countAll<number>().as('n'),
      eb.fn.count<number>('acknowledged_at').as('acked'),
      eb.fn.sum<number>(sql`acknowledged_at - created_at`).as('ack_ms'),
    ])
    .where('created_at', '>=', o.since)
    .where('created_at', '<', o.until)
    .groupBy(['rule_id', 'verdict'])
    .execute();
  const out = new Map<string, RuleQuality & { ackSum: number }>();
  for (const r of rows) {
    let q = out.get(r.rule_id);
    if (!q) {
      q = { ruleId: r.rule_id, incidents: 0, truePositive: 0, falsePositive: 0, benign: 0, none: 0, fpRatio: null, acknowledged: 0, mttaMs: null, flagged: false, ackSum: 0 };
      out.set(r.rule_id, q);
    }
    const n = Number(r.n);
    q.incidents += n;
    const key = r.verdict ? KEYS[r.verdict as keyof typeof KEYS] : undefined;
    if (key) q[key] += n;
    else q.none += n;
    q.acknowledged += Number(r.acked);
    q.ackSum += Number(r.ack_ms ?? 0);
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

/** A rule's incidents with a verdict in the period (newest first), for the filter proposal. */
export async function judgedIncidentsOf(db: Kysely<Database>, ruleId: string, since: number, limit = 200): Promise<{ id: string; verdict: string }[]> {
  const rows = await db
    .selectFrom('incidents')
    .select(['id', 'verdict'])
    .where('rule_id', '=', ruleId)
    .where('verdict', 'in', ['true_positive', 'false_positive'])
    .where('created_at', '>=', since)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, verdict: r.verdict! }));
}

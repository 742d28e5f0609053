// `risk:` risk-based alerting. Every detection adds points to the entities it names (address, user, host); when
// one entity's points within the window reach the threshold, or its detections span enough distinct ATT&CK
// tactics, a risk incident opens that links the incidents that contributed. The scoring is described in the
// README ("Risk-based alerting"); the engine is src/triage/risk.ts.
import { z } from 'zod';
import { componentSchema } from './component.js';
import { DAY, duration } from './fragments.js';

const LEVEL = z.enum(['informational', 'low', 'medium', 'high', 'critical']);
const points = z.number().nonnegative().max(10_000);

/** Points a detection adds, by its rule's level. */
export const RISK_LEVEL_POINTS = { informational: 0, low: 10, medium: 25, high: 50, critical: 80 } as const;

/**
 * A detection's points are multiplied by the highest factor among its tactics (1 for a tactic not listed, or a
 * rule without tactics). Later steps of an intrusion weigh more than reconnaissance.
 */
export const RISK_TACTIC_FACTORS: Record<string, number> = {
  Reconnaissance: 0.5,
  'Resource Development': 0.5,
  'Initial Access': 1,
  Execution: 1,
  Persistence: 1.2,
  'Privilege Escalation': 1.5,
  'Defense Evasion': 1.2,
  'Credential Access': 1.5,
  Discovery: 1,
  'Lateral Movement': 1.5,
  Collection: 1.2,
  'Command and Control': 1.5,
  Exfiltration: 2,
  Impact: 2,
};

export const riskSchema = componentSchema({
  /** How far back an entity's risk is summed (by the detections' own times); older risk events expire. */
  window: duration.default(DAY),
  /** Summed points within the window at which a risk incident opens. */
  threshold: z.number().positive().default(100),
  /** Distinct ATT&CK tactics within the window at which a risk incident opens, whatever the points; 0: off. */
  tactics: z.number().int().nonnegative().default(3),
  /** Which entities collect risk. */
  entities: z.array(z.enum(['ip', 'user', 'host'])).min(1).default(['ip', 'user', 'host']),
  /** Points by rule level. */
  levels: z
    .object({ informational: points, low: points, medium: points, high: points, critical: points })
    .partial()
    .strict()
    .default({})
    .transform((l) => ({ ...RISK_LEVEL_POINTS, ...l })),
  /** Factor by ATT&CK tactic name (as ATT&CK spells it: "Credential Access"); merged over the defaults. */
  tacticFactors: z
    .record(z.string().min(1), z.number().nonnegative().max(100))
    .default({})
    .transform((f) => ({ ...RISK_TACTIC_FACTORS, ...f })),
  /** The rule level a risk incident starts from (its severity adds asset criticality like any incident's). */
  level: LEVEL.default('high'),
});

export type RiskConfig = z.output<typeof riskSchema>;

// What triage adds to an incident: severity with its reasons, the summary, the analyst's state and verdict.
import { VigilError } from '../errors.js';
import type { Incident, IncidentChange, Indicator, Level, RuleRef } from '../model/index.js';

export type Verdict = 'true_positive' | 'false_positive' | 'benign';
export const VERDICTS: readonly Verdict[] = ['true_positive', 'false_positive', 'benign'];

export type SeverityFactor = 'sigma' | 'wazuh' | 'enrichment' | 'asset' | 'escalation';

/** One line of "why this score": the factor, the points it added (may be negative) and what it saw. */
export interface SeverityReason {
  factor: SeverityFactor;
  points: number;
  detail: string;
}

export interface Severity {
  /** 0–100. */
  score: number;
  level: Level;
  reasons: SeverityReason[];
}

/** An enrichment verdict as severity reads it (the enrich stage keeps the full facts). */
export interface VerdictInput {
  provider: string;
  indicator: Indicator;
  verdict: 'malicious' | 'suspicious' | 'harmless' | 'unknown' | 'error';
}

export interface MitreTechnique {
  /** e.g. `T1110` or `T1110.001`. */
  id: string;
  name?: string;
  tactic?: string;
}

/** The analyst's summary. Every text field is plain text: renderers escape it. */
export interface Summary {
  source: 'template' | 'llm';
  model?: string;
  whatHappened: string;
  affected: string;
  evidence: string[];
  enrichment: string;
  mitre: MitreTechnique[];
  nextSteps: string[];
  generatedAt: number;
}

export interface IncidentLink {
  incidentId: string;
  title: string;
  status: string;
  reason: string;
}

/**
 * A logon that succeeded, from the evidence: the account that got in (the 4624's target user), from where, on
 * which host, when. After failures from the same address it is the account to disable.
 */
export interface LoggedOn {
  user: string;
  sourceIp?: string;
  host?: string;
  time: number;
  eventId: string;
}

/** An incident as triage keeps it. */
export interface IncidentRecord extends Incident {
  rule: RuleRef;
  /** The rule's title as people read it (a forwarded Wazuh alert: Wazuh's own rule.description). */
  ruleTitle: string;
  severity: Severity;
  wazuhLevel: number;
  escalated: boolean;
  /** Logons that succeeded (this incident's own, or the ones that escalated it after its failures). */
  loggedOn: LoggedOn[];
  /**
   * Indicator kinds of which the incident saw more evidence values than it keeps (MAX_EVIDENCE_INDICATORS): its
   * lists of those are the first ones seen, and readers say "more" rather than a count that would be short.
   */
  indicatorsCapped: Indicator['kind'][];
  mitre: MitreTechnique[];
  enrichments: VerdictInput[];
  summary?: Summary;
  /** `pending` while an LLM summary is being written; the template summary stands meanwhile. */
  summaryState?: 'pending' | 'done' | 'failed';
  assignee?: string;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  resolvedAt?: number;
  /** `auto` (quiet period), `analyst`, or the verdict that closed it. */
  resolution?: string;
  verdict?: Verdict;
  verdictComment?: string;
  verdictBy?: string;
  verdictAt?: number;
  lastDetectionAt?: number;
  /** Who resolved it (`system` for the quiet period) and the words they gave. */
  resolvedBy?: string;
  resolutionComment?: string;
}

/** A change to one incident, and whether people hear of it. */
/** What linking and the success-after-failures escalation read of a related incident (a narrow row, no JSON blobs). */
export type RelatedIncident = Pick<IncidentRecord, 'id' | 'fingerprint' | 'firstSeen' | 'verdict' | 'escalated' | 'mitre' | 'rule'>;

export interface ChangeResult {
  incident: IncidentRecord;
  change: IncidentChange;
  notify: boolean;
}

/** Who acts (an analyst, a token, or `system`) and why. */
export interface Actor {
  actor: string;
  comment?: string;
}

/** A refused change; its code is also the HTTP answer (errors.ts maps it). */
export class TriageError extends VigilError<'not_found' | 'conflict' | 'invalid'> {
  constructor(code: 'not_found' | 'conflict' | 'invalid', message: string) {
    super(code, message);
  }
}

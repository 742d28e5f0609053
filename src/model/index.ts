// The vocabulary of Vigil as types. Every stage speaks these and nothing else of the stage before it.

/** The input formats Vigil reads: Wazuh 4.x alerts, evtx_dump Windows events, Wazuh 5.x findings and events (WCS). */
export type EventFormat = 'wazuh' | 'evtx-json' | 'wcs';

/**
 * One input record as Vigil reads it. `data` is the parsed JSON, untouched: rules read it through
 * field accessors, so no normalized copy is made on the hot path.
 */
export interface Event {
  /** Stable id: the Wazuh alert id (`"1652272159.1549653"`), or a digest for formats without one. */
  id: string;
  /** Deduplication key across sources: manager name + alert id for Wazuh. */
  key: string;
  format: EventFormat;
  /** Event time, epoch milliseconds. */
  time: number;
  data: Record<string, unknown>;
}

export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export const LEVELS: readonly Level[] = ['informational', 'low', 'medium', 'high', 'critical'];

/** What a detection or an incident needs to know of the rule that fired. */
export interface RuleRef {
  id: string;
  title: string;
  level: Level;
  /** Sigma `author`: the Detection Rule License requires messages based on matches to keep it. */
  author?: string;
  description?: string;
  tags: string[];
  /** Where the rule came from (file path, or `builtin:<path>`). */
  source?: string;
}

/** One firing of a rule, with the events that made it fire. */
export interface Detection {
  /** Deterministic: the same rule, group and completing event always give the same id. */
  id: string;
  rule: RuleRef;
  /** Time of the event that completed the detection, epoch ms. */
  time: number;
  /** Time of the first contributing event, epoch ms. */
  firstTime: number;
  /** The correlation's group-by values (empty for a single-event rule). */
  group: Record<string, string>;
  /** How many events contributed. */
  count: number;
  /** Ids of the contributing events, oldest first (capped; `count` is exact). */
  eventIds: string[];
  /** The contributing events themselves, for evidence (capped like eventIds). */
  events: Event[];
}

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

/** What happened to an incident; the act stage decides from it (and playbooks) who hears of it. */
export type IncidentChange = 'opened' | 'updated' | 'escalated' | 'resolved' | 'reopened' | 'summary' | 'enriched';

export type IndicatorKind = 'ip' | 'user' | 'host' | 'hash' | 'domain' | 'url';
export const INDICATOR_KINDS: readonly IndicatorKind[] = ['ip', 'user', 'host', 'hash', 'domain', 'url'];

export interface Indicator {
  kind: IndicatorKind;
  value: string;
}

/** One text per indicator (kind and value), for maps and sets of indicators: triage's lookups share this key. */
export const indicatorKey = (i: { kind: string; value: string }): string => `${i.kind}\u0000${i.value}`;

/** What an analyst works on: the detections about one entity in one attack. */
export interface Incident {
  id: string;
  fingerprint: string;
  title: string;
  status: IncidentStatus;
  level: Level;
  ruleId: string;
  /** Main entity, e.g. `{ IpAddress: "203.0.113.7" }`. */
  entity: Record<string, string>;
  firstSeen: number;
  lastSeen: number;
  detectionCount: number;
  eventCount: number;
  /** Increments on every change that should reach people (open, escalation, resolve). */
  revision: number;
  createdAt: number;
  updatedAt: number;
}

/** Facts about an indicator from one provider. */
export interface Enrichment {
  provider: string;
  indicator: Indicator;
  fetchedAt: number;
  verdict?: 'malicious' | 'suspicious' | 'harmless' | 'unknown' | 'error';
  data: Record<string, unknown>;
}

/** Where one lookup (one provider, one indicator, one incident) stands. */
export type LookupState = 'pending' | 'done' | 'failed';

/** One provider's answer about one indicator of an incident, as people and the API see it. */
export interface EnrichmentLookup {
  provider: string;
  indicator: Indicator;
  state: LookupState;
  /** Absent while pending or failed; `unknown` when the provider has no record. */
  verdict?: 'malicious' | 'suspicious' | 'harmless' | 'unknown';
  /** False when the provider answered that it knows nothing of the indicator. */
  found?: boolean;
  /** One line for people, e.g. `12 of 94 engines flagged it malicious, 2 suspicious`. Plain text: escaped where it lands. */
  summary?: string;
  /** The provider's page about the indicator. */
  link?: string;
  data?: Record<string, unknown>;
  fetchedAt?: number;
  /** Why a failed lookup failed (never shown as clean). */
  error?: string;
}

/** `refused`: the action was refused by a guard rail when it was about to run (a block): final, never sent. */
export type ActionState = 'pending' | 'running' | 'delivered' | 'failed' | 'dead' | 'refused';

/** A side effect, run from the durable outbox. */
export interface Action {
  id: number;
  /** Unique: incident + channel + revision. A retry with the same key never sends twice. */
  idempotencyKey: string;
  channel: string;
  incidentId: string;
  state: ActionState;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  payload: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

// Table types for Kysely. Times are epoch milliseconds (UTC); JSON columns are text, parsed at the edge.
import type { Generated } from 'kysely';

export interface AlertTable {
  seq: Generated<number>;
  /** Dedup key across sources: `<manager>/<alert id>`. */
  key: string;
  event_id: string;
  format: string;
  source: string;
  received_at: number;
  body: string;
  /** Detections that hold this alert as evidence: retention keeps it while any does. */
  refs: Generated<number>;
}

export interface CursorTable {
  name: string;
  value: string;
  updated_at: number;
  /** Fencing token of the cursor's current owner (1790; 0 for cursors nobody fences). */
  fence: Generated<number>;
}

/** A rule's JSON, once per rule and version (1800): what a detection's `rule_key` names. */
export interface DetectionRuleTable {
  rule_key: string;
  rule_json: string;
}

export interface DetectionTable {
  id: string;
  rule_id: string;
  rule_title: string;
  level: string;
  time: number;
  first_time: number;
  group_json: string;
  count: number;
  event_ids_json: string;
  /** The rule's JSON: '' where `rule_key` names it in detection_rules (1800); rows written before hold their own. */
  rule_json: string;
  rule_key: string | null;
  incident_id: string | null;
  created_at: number;
  /** Set when a suppression silenced this detection: recorded, but folded into no incident. */
  suppression_id: number | null;
}

export interface IncidentTable {
  id: string;
  fingerprint: string;
  title: string;
  status: string;
  level: string;
  rule_id: string;
  entity_json: string;
  first_seen: number;
  last_seen: number;
  detection_count: number;
  event_count: number;
  revision: number;
  created_at: number;
  updated_at: number;
  // triage (0600): see src/triage/
  severity_score: number;
  severity_json: string;
  wazuh_level: number;
  /** Enrichment verdicts the severity took into account: `{provider, kind, value, verdict}[]`. */
  enrichment_json: string;
  escalated: number;
  mitre_json: string;
  rule_json: string;
  summary_json: string | null;
  summary_state: string | null;
  assignee: string | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolution: string | null;
  verdict: string | null;
  verdict_comment: string | null;
  verdict_by: string | null;
  verdict_at: number | null;
  /** Wall-clock time the last detection was folded in: auto-resolve measures the quiet period from it. */
  last_detection_at: number | null;
  // comments (0650)
  resolved_by: string | null;
  resolution_comment: string | null;
  // logons (0660): the successful logons of the evidence, see src/triage/links.ts successfulLogons
  logged_on_json: Generated<string>;
  // capped indicators (1810): the kinds (JSON list) of which the incident saw more evidence values than it keeps
  indicators_capped: string | null;
}

export interface IncidentIndicatorTable {
  incident_id: string;
  kind: string;
  value: string;
  /** `entity` (the incident's fingerprint entity) or `evidence` (seen in its events). */
  role: string;
  first_seen: number;
}

export interface IncidentLinkTable {
  incident_id: string;
  related_id: string;
  reason: string;
  created_at: number;
}

export interface IncidentCommentTable {
  id: Generated<number>;
  incident_id: string;
  /** `user:<name>` or `token:<name>`, as the audit log names actors. */
  author: string;
  at: number;
  text: string;
}

export interface SuppressionTable {
  id: Generated<number>;
  /** Null: every rule. */
  rule_id: string | null;
  indicator_kind: string;
  indicator_value: string;
  reason: string;
  created_by: string;
  created_at: number;
  /** Null: never expires. */
  expires_at: number | null;
  /** The incident whose verdict created it, if any. */
  incident_id: string | null;
  hits: Generated<number>;
}

/** Risk one detection added to one entity (src/triage/risk.ts); kept for the risk window. */
export interface RiskEventTable {
  detection_id: string;
  /** ip, user or host. */
  entity_kind: string;
  entity_value: string;
  /** The incident the detection folded into. */
  incident_id: string;
  rule_id: string;
  rule_title: string;
  level: string;
  /** The ATT&CK tactics of the detection, e.g. ["Credential Access"]. */
  tactics_json: string;
  points: number;
  /** Events the detection counted. */
  events: number;
  /** The detection's time (its events' clock). */
  time: number;
  created_at: number;
}

export interface OutboxTable {
  id: Generated<number>;
  idempotency_key: string;
  channel: string;
  incident_id: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  payload_json: string;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
  /** While `running`: the node running it (1520). */
  claimed_by: Generated<string | null>;
  /** While `running`: when the claim lapses and another node may take the action over (a node that died mid-send). */
  claim_expires_at: Generated<number | null>;
}

export interface AuditTable {
  id: Generated<number>;
  at: number;
  /** `user:<name>`, `token:<name>`, `system`, `approval-link`, … */
  actor: string;
  /** e.g. `incident.acknowledge`, `response.block`, `response.approve`, `user.login`. */
  action: string;
  /** What it acted on, e.g. `incident:<id>`, `ip:203.0.113.7`. */
  target: string;
  /** `ok`, `refused`, `failed`, `dry-run`, … */
  result: string;
  details_json: string;
}

// access (0800): see src/server/auth/
export interface UserTable {
  name: string;
  password_hash: string;
  role: string;
  created_at: number;
  disabled_at: number | null;
}

export interface SessionTable {
  id_hash: string;
  user_name: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface ApiTokenTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  scope: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface RuleModeTable {
  rule_id: string;
  mode: string;
  shadow_hits: Generated<number>;
  updated_by: string;
  updated_at: number;
}

/** What a rule in shadow mode would have opened, per entity (src/store/rule-modes.ts). */
export interface ShadowIncidentTable {
  rule_id: string;
  fingerprint: string;
  entity_json: string;
  /** Event times (epoch ms) of its first and last would-be detection. */
  first_seen: number;
  last_seen: number;
  /** Incidents it would have opened for this entity (a new one after a quiet period without detections). */
  opened: number;
  detections: number;
  events: number;
  updated_at: number;
}

export interface EnrichLookupTable {
  id: Generated<number>;
  incident_id: string;
  provider: string;
  kind: string;
  value: string;
  /** Higher first: the incident's severity rank when the lookup was queued. */
  priority: number;
  /** pending | done | failed */
  state: string;
  attempts: number;
  next_attempt_at: number;
  found: number | null;
  verdict: string | null;
  summary: string | null;
  link: string | null;
  data_json: string | null;
  error: string | null;
  fetched_at: number | null;
  created_at: number;
  updated_at: number;
  /** While a node is calling the provider for this indicator: until when that call is its own (1540). */
  claimed_until: Generated<number | null>;
}

export interface EnrichCacheTable {
  /** Digest of provider, API-key fingerprint, kind and value: a new key never reads an old key's answers. */
  cache_key: string;
  provider: string;
  kind: string;
  value: string;
  found: number;
  verdict: string;
  summary: string;
  link: string | null;
  data_json: string;
  fetched_at: number;
  expires_at: number;
}

export interface EnrichQuotaTable {
  provider: string;
  /** Times (epoch ms) of the calls made in the last rolling minute. */
  minute_json: string;
  /** UTC day (YYYY-MM-DD) that day_used counts. */
  day: string;
  day_used: number;
  /** No call before this time (after a 429 or quota error). */
  blocked_until: number;
  /** Consecutive quota refusals: the backoff doubles with each. */
  strikes: number;
  updated_at: number;
}

export interface EnrichEscalationTable {
  incident_id: string;
  from_level: string;
  to_level: string;
  reasons_json: string;
  at: number;
}

export interface ActionRefTable {
  incident_id: string;
  channel: string;
  external_id: string;
  thread: string | null;
  url: string | null;
  created_at: number;
  updated_at: number;
}

export interface ResponseTable {
  id: Generated<number>;
  incident_id: string;
  playbook: string;
  address: string;
  agents_json: string;
  /** dry-run | approval | automatic */
  mode: string;
  /** awaiting-approval | approved | denied | expired | refused | dry-run | blocked | unblocked */
  state: string;
  /** 1 for a first block of this address within the repeat window, 2 for the second, … */
  offence: number;
  duration_ms: number;
  approval_expires_at: number | null;
  approval_used_at: number | null;
  blocked_at: number | null;
  unblock_at: number | null;
  unblocked_at: number | null;
  decided_by: string | null;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface IngestQuarantineTable {
  id: Generated<number>;
  source: string;
  reason: string;
  detail: string;
  size: number;
  sample: string;
  received_at: number;
}

// leases (1510): see src/cluster/leases.ts
export interface LeaseTable {
  name: string;
  /** The node holding it (its holder id). */
  holder: string;
  /** Fencing token: grows by one each time the lease passes to a new holder (or is taken again after it lapsed). */
  token: number;
  acquired_at: number;
  expires_at: number;
}

// shared auth (1530): see src/server/auth/rate-limits.ts and secrets.ts
export interface RateLimitTable {
  /** The route and the client key (address), e.g. `POST /api/v1/auth/login|203.0.113.9`. */
  key: string;
  hits: number;
  window_start: number;
}

export interface AuthSecretTable {
  name: string;
  value: string;
  created_at: number;
}

export interface Database {
  rate_limits: RateLimitTable;
  auth_secrets: AuthSecretTable;
  leases: LeaseTable;
  ingest_quarantine: IngestQuarantineTable;
  api_tokens: ApiTokenTable;
  rule_modes: RuleModeTable;
  shadow_incidents: ShadowIncidentTable;
  sessions: SessionTable;
  users: UserTable;
  enrich_lookups: EnrichLookupTable;
  enrich_cache: EnrichCacheTable;
  enrich_quota: EnrichQuotaTable;
  enrich_escalations: EnrichEscalationTable;
  action_refs: ActionRefTable;
  responses: ResponseTable;
  audit_log: AuditTable;
  alerts: AlertTable;
  cursors: CursorTable;
  detections: DetectionTable;
  detection_rules: DetectionRuleTable;
  incidents: IncidentTable;
  incident_indicators: IncidentIndicatorTable;
  incident_links: IncidentLinkTable;
  incident_comments: IncidentCommentTable;
  outbox: OutboxTable;
  suppressions: SuppressionTable;
  risk_events: RiskEventTable;
}

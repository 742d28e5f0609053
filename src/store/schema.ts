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
}

export interface CursorTable {
  name: string;
  value: string;
  updated_at: number;
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
  rule_json: string;
  incident_id: string | null;
  created_at: number;
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

export interface Database {
  ingest_quarantine: IngestQuarantineTable;
  api_tokens: ApiTokenTable;
  rule_modes: RuleModeTable;
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
  incidents: IncidentTable;
  outbox: OutboxTable;
}

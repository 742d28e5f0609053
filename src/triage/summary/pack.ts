// The grounded evidence pack an LLM writes the summary from: only facts Vigil holds about the incident,
// with secrets scrubbed and configured PII fields redacted before anything leaves the process.
import type { EvidenceRow } from '../evidence.js';
import { oneLine } from '../../model/one-line.js';
import type { IncidentView } from '../queries.js';

export interface EvidencePack {
  incident: {
    title: string;
    rule: { title: string; level: string; description?: string };
    severity: { score: number; level: string; reasons: string[] };
    status: string;
    escalated: boolean;
    firstSeenUtc: string;
    lastSeenUtc: string;
    detections: number;
    events: number;
  };
  entity: Record<string, string>;
  sourceAddresses: string[];
  users: string[];
  /** The accounts that logged on (the rest of `users` were only targeted). */
  loggedOn?: { user: string; sourceIp?: string; host?: string; timeUtc: string }[];
  hosts: string[];
  evidence: { timeUtc: string; user?: string; sourceIp?: string; host?: string; detail?: string; alertId: string }[];
  enrichment: { provider: string; indicator: string; verdict: string }[];
  mitre: { id: string; name?: string; tactic?: string }[];
  linkedIncidents: { title: string; reason: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Secrets that should never leave: passwords in key=value form, bearer tokens, API keys, private keys. */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[redacted private key]'],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [/\b(password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key)\s*[=:]\s*("[^"]*"|'[^']*'|\S+)/gi, '$1=[redacted]'],
  [/\bAKIA[0-9A-Z]{16}\b/g, '[redacted AWS key]'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, '[redacted token]'],
  [/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, '[redacted JWT]'],
];

export function scrubSecrets(text: string): string {
  let out = text;
  for (const [re, by] of SECRET_PATTERNS) out = out.replace(re, by);
  return out;
}

/**
 * Applies redaction to the pack: every string is scrubbed of secrets, and each configured field name
 * (`user`, `users`, `sourceIp`, `host`, `detail`, …; case-insensitive, anywhere in the pack) is replaced.
 */
export function redact<T>(value: T, fields: string[]): T {
  const names = new Set(fields.map((f) => f.toLowerCase()));
  const walk = (v: unknown, key?: string): unknown => {
    if (key && names.has(key.toLowerCase())) return Array.isArray(v) ? v.map(() => '[redacted]') : '[redacted]';
    // One line each, control and invisible characters shown: a value cannot pose as a line of the prompt.
    if (typeof v === 'string') return oneLine(scrubSecrets(v));
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value) as T;
}

export function evidencePack(inc: IncidentView, evidence: EvidenceRow[], redactFields: string[]): EvidencePack {
  const of = (kind: string) => inc.indicators.filter((i) => i.kind === kind).map((i) => i.value).slice(0, 20);
  const pack: EvidencePack = {
    incident: {
      title: inc.title,
      rule: { title: inc.rule.title, level: inc.rule.level, description: inc.rule.description },
      severity: { score: inc.severity.score, level: inc.severity.level, reasons: inc.severity.reasons.map((r) => `${r.points >= 0 ? '+' : ''}${r.points} ${r.detail}`) },
      status: inc.status,
      escalated: inc.escalated,
      firstSeenUtc: iso(inc.firstSeen),
      lastSeenUtc: iso(inc.lastSeen),
      detections: inc.detectionCount,
      events: inc.eventCount,
    },
    entity: inc.entity,
    sourceAddresses: of('ip'),
    users: of('user'),
    // `user` is redacted like every other user field when the operator asks.
    loggedOn: (inc.loggedOn ?? []).map((l) => ({ user: l.user, sourceIp: l.sourceIp, host: l.host, timeUtc: iso(l.time) })),
    hosts: of('host'),
    evidence: evidence.slice(-10).map((e) => ({ timeUtc: iso(e.time), user: e.user, sourceIp: e.sourceIp, host: e.host, detail: e.detail, alertId: e.eventId })),
    enrichment: inc.enrichments.map((e) => ({ provider: e.provider, indicator: e.indicator.value, verdict: e.verdict })),
    mitre: inc.mitre,
    linkedIncidents: inc.links.map((l) => ({ title: l.title, reason: l.reason })),
  };
  return redact(pack, redactFields);
}

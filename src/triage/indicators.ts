// The indicators of a detection: its entity (the correlation's group-by values, named by kind) and what its
// evidence shows (source addresses, users, hosts). Incidents keep them to link, suppress and enrich by.
import { indicatorKey as key, type Detection, type Indicator, type IndicatorKind } from '../model/index.js';
import { evidenceRow, type EvidenceRow } from './evidence.js';

/** The kind of indicator a group-by field holds, from its name (Sigma and Wazuh spellings). */
export function kindOfField(field: string): IndicatorKind | undefined {
  const f = field.toLowerCase();
  if (/(^|[._])(src|dst)?ip$|ipaddress|address$|srcip|source_?ip/.test(f)) return 'ip';
  if (/user(name)?$|account/.test(f)) return 'user';
  if (/host|computer|workstation|agent(\.name)?$/.test(f)) return 'host';
  if (/hash|md5|sha1|sha256/.test(f)) return 'hash';
  if (/domain|query/.test(f)) return 'domain';
  if (/url|uri/.test(f)) return 'url';
  return undefined;
}

export interface DetectionIndicators {
  entity: Indicator[];
  evidence: Indicator[];
  rows: EvidenceRow[];
}

/**
 * Longest value kept as an indicator. No address, user, host, hash or domain is longer; a longer one is an
 * attacker's filler, shown in the evidence but not indexed (PostgreSQL refuses index rows over ~2.7 KB, SQLite
 * does not: bounding it here keeps both stores alike).
 */
export const MAX_INDICATOR_LENGTH = 1024;

export function uniqueIndicators(list: Indicator[]): Indicator[] {
  const seen = new Map<string, Indicator>();
  for (const i of list) if (i.value && i.value.length <= MAX_INDICATOR_LENGTH && !seen.has(key(i))) seen.set(key(i), i);
  return [...seen.values()];
}

export function indicatorsOf(d: Detection, entity: Record<string, string>): DetectionIndicators {
  const rows = d.events.map(evidenceRow);
  const fromEntity: Indicator[] = [];
  for (const [field, value] of Object.entries(entity)) {
    const kind = kindOfField(field);
    if (kind) fromEntity.push({ kind, value });
  }
  const evidence: Indicator[] = [];
  for (const r of rows) {
    if (r.sourceIp) evidence.push({ kind: 'ip', value: r.sourceIp });
    if (r.user) evidence.push({ kind: 'user', value: r.user });
    if (r.host) evidence.push({ kind: 'host', value: r.host });
  }
  return { entity: uniqueIndicators(fromEntity), evidence: uniqueIndicators(evidence), rows };
}

/**
 * What a suppression may match: the entity, plus any value every evidence row shares (a brute force on one
 * service account can be suppressed by that user; one that also tried other users cannot).
 */
export function suppressibleIndicators(ind: DetectionIndicators): Indicator[] {
  const common: Indicator[] = [];
  const rows = ind.rows;
  if (rows.length > 0) {
    for (const [kind, pick] of [
      ['ip', (r: EvidenceRow) => r.sourceIp],
      ['user', (r: EvidenceRow) => r.user],
      ['host', (r: EvidenceRow) => r.host],
    ] as const) {
      const first = pick(rows[0]!);
      if (first && rows.every((r) => pick(r) === first)) common.push({ kind, value: first });
    }
  }
  return uniqueIndicators([...ind.entity, ...common]);
}

// Related incidents: two incidents that share a source address or a user within the reopen window are
// linked (both ways). A successful logon from an address that an open brute-force incident holds escalates
// that incident: the attacker probably got in.
import type { Kysely } from 'kysely';
import type { Detection, Indicator } from '../model/index.js';
import type { Database } from '../store/schema.js';
import { rowToRecord } from './record.js';
import type { IncidentRecord } from './types.js';

const MAX_LINKS = 20;

/** Does this detection show a logon that succeeded (Wazuh group `authentication_success`, Windows 4624/4648)? */
export function isLogonSuccess(d: Detection): boolean {
  if (d.rule.tags.some((t) => t.toLowerCase() === 'attack.t1078')) return true;
  return d.events.some((e) => {
    const data = e.data as any;
    const groups: unknown = data?.rule?.groups;
    if (Array.isArray(groups) && groups.includes('authentication_success')) return true;
    const id = String(data?.data?.win?.system?.eventID ?? data?.Event?.System?.EventID ?? '');
    return id === '4624' || id === '4648';
  });
}

/** Is this incident about failed logons (ATT&CK T1110 Brute Force and its sub-techniques)? */
export function isFailureIncident(inc: IncidentRecord): boolean {
  return inc.mitre.some((t) => t.id.startsWith('T1110')) || inc.rule.tags.some((t) => /^attack\.t1110/i.test(t));
}

/** Other incidents seen since `since` that hold one of these IP or user indicators. */
export async function relatedIncidents(
  trx: Kysely<Database>,
  excludeId: string | undefined,
  indicators: Indicator[],
  since: number,
): Promise<{ incident: IncidentRecord; shared: Indicator }[]> {
  const wanted = indicators.filter((i) => i.kind === 'ip' || i.kind === 'user');
  if (wanted.length === 0) return [];
  const rows = await trx
    .selectFrom('incident_indicators')
    .innerJoin('incidents', 'incidents.id', 'incident_indicators.incident_id')
    .selectAll('incidents')
    .select(['incident_indicators.kind as shared_kind', 'incident_indicators.value as shared_value'])
    .where((eb) => eb.or(wanted.map((i) => eb.and([eb('incident_indicators.kind', '=', i.kind), eb('incident_indicators.value', '=', i.value)]))))
    .where('incidents.last_seen', '>=', since)
    .orderBy('incidents.last_seen', 'desc')
    .limit(MAX_LINKS * 4)
    .execute();
  const out = new Map<string, { incident: IncidentRecord; shared: Indicator }>();
  for (const r of rows) {
    if (r.id === excludeId) continue;
    const shared = { kind: r.shared_kind as Indicator['kind'], value: r.shared_value };
    const prev = out.get(r.id);
    // Prefer the address as the stated reason: it is the stronger tie.
    if (!prev || (prev.shared.kind !== 'ip' && shared.kind === 'ip')) out.set(r.id, { incident: rowToRecord(r), shared });
  }
  return [...out.values()].slice(0, MAX_LINKS);
}

export async function link(trx: Kysely<Database>, a: string, b: string, reason: string, now: number): Promise<void> {
  await trx
    .insertInto('incident_links')
    .values([
      { incident_id: a, related_id: b, reason, created_at: now },
      { incident_id: b, related_id: a, reason, created_at: now },
    ])
    .onConflict((oc) => oc.columns(['incident_id', 'related_id']).doNothing())
    .execute();
}

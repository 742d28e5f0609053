// Related incidents: two incidents that share a source address or a user within the reopen window are
// linked (both ways). A successful logon from an address that an open brute-force incident holds escalates
// that incident: the attacker probably got in.
import type { Kysely } from 'kysely';
import { type Detection, type Event, type Indicator } from '../model/index.js';
import { evidenceRow } from './evidence.js';
import type { Database } from '../store/schema.js';
import type { InHand, TriageBatch } from './batch.js';
import type { IncidentRecord, LoggedOn, RelatedIncident } from './types.js';
import { alertView } from '../model/wcs.js';

export { linkAll } from './record.js';
export type { RelatedIncident } from './types.js';

const MAX_LINKS = 20;

/** Is this event a logon that succeeded (Wazuh group `authentication_success`, Windows 4624/4648)? */
export function isSuccessEvent(e: Event): boolean {
  const data = alertView(e) as any;
  const groups: unknown = data?.rule?.groups;
  if (Array.isArray(groups) && groups.includes('authentication_success')) return true;
  const id = String(data?.data?.win?.system?.eventID ?? data?.Event?.System?.EventID ?? '');
  return id === '4624' || id === '4648';
}

/** Does this detection show a logon that succeeded? */
export function isLogonSuccess(d: Detection): boolean {
  if (d.rule.tags.some((t) => t.toLowerCase() === 'attack.t1078')) return true;
  return d.events.some(isSuccessEvent);
}

/** Logons an incident keeps; a flood of successes is summarised by its first few. */
export const MAX_LOGONS = 10;

/**
 * The logons that succeeded in a detection's evidence (the 4624's user, from where, on which host, when): the
 * accounts that got in, the ones to disable. Never the accounts the failures merely targeted.
 */
export function successfulLogons(d: Detection): LoggedOn[] {
  return mergeLogons(
    [],
    d.events.filter(isSuccessEvent).map((e) => {
      const r = evidenceRow(e);
      return { user: r.user ?? '?', ...(r.sourceIp ? { sourceIp: r.sourceIp } : {}), ...(r.host ? { host: r.host } : {}), time: r.time, eventId: e.id };
    }),
  );
}

/** `have` with the logons of `more` it lacks (one per account and address, the first seen), oldest first, capped. */
export function mergeLogons(have: LoggedOn[], more: LoggedOn[]): LoggedOn[] {
  const key = (l: LoggedOn) => `${l.user.toLowerCase()}\u0000${l.sourceIp ?? ''}`;
  const seen = new Set(have.map(key));
  const out = [...have];
  for (const l of more) if (!seen.has(key(l))) (seen.add(key(l)), out.push(l));
  return out.sort((a, b) => a.time - b.time).slice(0, MAX_LOGONS);
}

/** Is this incident about failed logons (ATT&CK T1110 Brute Force and its sub-techniques)? */
export function isFailureIncident(inc: Pick<IncidentRecord, 'mitre' | 'rule'>): boolean {
  return inc.mitre.some((t) => t.id.startsWith('T1110')) || inc.rule.tags.some((t) => /^attack\.t1110/i.test(t));
}

/** Indicators of one detection looked up for links; a correlation's evidence can name thousands. */
const MAX_LOOKED_UP = 8;

/** The indicators whose holders a detection's links are looked up by: IP and user ones, the entity's first, a few. */
export function lookedUp(indicators: Indicator[]): Indicator[] {
  return indicators.filter((i) => i.kind === 'ip' || i.kind === 'user').slice(0, MAX_LOOKED_UP);
}

/**
 * Other incidents seen since `since` that hold one of these IP or user indicators (the entity's first), as the
 * batch's reads see them. The cost is bounded whatever the store holds: each indicator reads at most MAX_LINKS
 * of its most recent holders from the (kind, value, first_seen) index, so a user name shared by thousands of
 * incidents costs no more than a rare address. In hand (no promise) when the batch needs to ask the store nothing.
 */
export function relatedIncidents(
  batch: TriageBatch,
  excludeId: string | undefined,
  indicators: Indicator[],
  since: number,
): InHand<{ incident: RelatedIncident; shared: Indicator }[]> {
  const wanted = lookedUp(indicators);
  if (wanted.length === 0) return [];
  const holders = batch.holdersOf(wanted, MAX_LINKS + 1);
  return holders instanceof Promise ? holders.then((h) => relatedBy(batch, excludeId, wanted, h, since)) : relatedBy(batch, excludeId, wanted, holders, since);
}

function relatedBy(
  batch: TriageBatch,
  excludeId: string | undefined,
  wanted: Indicator[],
  holders: (readonly string[])[],
  since: number,
): InHand<{ incident: RelatedIncident; shared: Indicator }[]> {
  let sharedBy: Map<string, Indicator> | undefined;
  wanted.forEach((i, n) => {
    for (const h of holders[n]!) {
      if (h === excludeId) continue;
      sharedBy ??= new Map();
      const prev = sharedBy.get(h);
      // Prefer the address as the stated reason: it is the stronger tie.
      if (!prev || (prev.kind !== 'ip' && i.kind === 'ip')) sharedBy.set(h, i);
    }
  });
  if (sharedBy === undefined) return [];
  const shared = sharedBy;
  const withReason = (rows: RelatedIncident[]) => rows.map((incident) => ({ incident, shared: shared.get(incident.id)! }));
  const rows = batch.relatedAmong([...shared.keys()], since, MAX_LINKS);
  return rows instanceof Promise ? rows.then(withReason) : withReason(rows);
}

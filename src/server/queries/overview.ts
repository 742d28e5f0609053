// The overview: detections over time, the top source addresses, users and rules, and mean times to detect
// and to acknowledge, over a recent window.
import { systemClock } from '../../clock.js';
import type { Kysely } from 'kysely';
import { ipAnswersOf } from '../../enrich/lookups.js';
import { detectionsSince } from '../../triage/detections.js';
import { countOpenIncidents, firstAcknowledgements, incidentsSeenSince } from '../../triage/queries.js';
import type { Database } from '../../store/schema.js';
import { evidenceFor } from './evidence.js';

export interface Overview {
  /** Sources and users count evidence events (up to 5,000 in the window). */
  since: number;
  until: number;
  bucketMs: number;
  detectionsOverTime: { at: number; count: number }[];
  topSources: { value: string; count: number }[];
  topUsers: { value: string; count: number }[];
  topRules: { value: string; count: number }[];
  /** Countries of the source addresses (each address once), from enrichment answers (GeoIP, VirusTotal, AbuseIPDB). */
  topCountries: { value: string; count: number }[];
  openIncidents: number;
  /** Mean milliseconds from an attack's first event to its detection being recorded. */
  mttdMs: number | null;
  /** Mean milliseconds from an incident being opened to its first acknowledgement. */
  mttaMs: number | null;
}

const MAX_ROWS = 20_000;
const MAX_EVENTS = 5_000;

function top(counts: Map<string, number>, n = 10) {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([value, count]) => ({ value, count }));
}

const bump = (m: Map<string, number>, k: string, by = 1) => m.set(k, (m.get(k) ?? 0) + by);

export async function overview(db: Kysely<Database>, windowMs: number, buckets: number, now = systemClock()): Promise<Overview> {
  const since = now - windowMs;
  const bucketMs = Math.ceil(windowMs / buckets);
  const dets = await detectionsSince(db, since, MAX_ROWS);
  const series = Array.from({ length: buckets }, (_, i) => ({ at: since + i * bucketMs, count: 0 }));
  const sources = new Map<string, number>();
  const users = new Map<string, number>();
  const rules = new Map<string, number>();
  let detectSum = 0;
  const eventIds: string[] = [];
  const spelling = new Map<string, string>();
  for (const d of dets) {
    if (eventIds.length < MAX_EVENTS) eventIds.push(...d.eventIds);
    const i = Math.min(buckets - 1, Math.floor((d.time - since) / bucketMs));
    if (i >= 0) series[i]!.count++;
    bump(rules, d.ruleTitle);
    detectSum += Math.max(0, d.createdAt - d.firstTime);
  }
  // Sources and users are counted over the evidence events, so a brute force grouped by address still
  // shows the users it tried.
  for (const e of await evidenceFor(db, eventIds, MAX_EVENTS)) {
    if (e.sourceIp) bump(sources, e.sourceIp);
    // One user whatever the spelling ("Administrator", "administrator"): correlations compare them so too.
    if (e.user) {
      const key = e.user.toLowerCase();
      if (!spelling.has(key)) spelling.set(key, e.user);
      bump(users, spelling.get(key)!);
    }
  }
  // Countries: each source address counted once, from the GeoIP answer when there is one (the dedicated
  // source), else from the first other answer that names a country.
  const countryOf = new Map<string, string>();
  const answers = await ipAnswersOf(db, incidentsSeenSince(db, since), MAX_ROWS);
  answers.sort((a, b) => Number(b.provider === 'geoip') - Number(a.provider === 'geoip'));
  for (const a of answers) {
    if (countryOf.has(a.value) || !a.data) continue;
    const data = a.data as { country?: unknown; countryCode?: unknown };
    const country = data.country ?? data.countryCode;
    if (typeof country === 'string' && country) countryOf.set(a.value, country);
  }
  const countries = new Map<string, number>();
  for (const c of countryOf.values()) bump(countries, c);
  const open = await countOpenIncidents(db);
  // First acknowledgement of each incident opened in the window, from the audit log.
  const acks = await firstAcknowledgements(db, since, MAX_ROWS);
  const ackSum = acks.reduce((s, a) => s + Math.max(0, a.ackedAt - a.createdAt), 0);
  return {
    since,
    until: now,
    bucketMs,
    detectionsOverTime: series,
    topSources: top(sources),
    topUsers: top(users),
    topRules: top(rules),
    topCountries: top(countries),
    openIncidents: open,
    mttdMs: dets.length ? Math.round(detectSum / dets.length) : null,
    mttaMs: acks.length ? Math.round(ackSum / acks.length) : null,
  };
}

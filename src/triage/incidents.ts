// The incident engine: folding detections into incidents.
//
// A detection's fingerprint is its detection family (the rule) and its entity (the correlation's group-by
// values — source IP, target user — or, for a single-event rule, the host). With the same fingerprint:
//   - an incident that is not resolved and was last seen within the quiet period is updated (counts, first
//     and last seen, new evidence, new users); people hear of it only if its severity level rises;
//   - a resolved incident last seen within the reopen window is reopened (the attack resumed);
//   - otherwise a new incident opens.
// A detection that a suppression matches is recorded and opens nothing.
import { systemClock } from '../clock.js';
import { isIP } from 'node:net';
import { sql, type Kysely, type Updateable } from 'kysely';
import { isPostgres } from '../store/migrations/util.js';
import type { Detection, Event, IncidentChange, Indicator, Level, RuleRef } from '../model/index.js';
import { sha1Hex } from '../model/digest.js';
import type { Database, IncidentTable } from '../store/schema.js';
import { announceChange, applyChange, type TriageContext } from './context.js';
import { evidenceRow, type EvidenceRow } from './evidence.js';
import { indicatorsOf, suppressibleIndicators, uniqueIndicators, type DetectionIndicators } from './indicators.js';
import { isFailureIncident, isLogonSuccess, linkAll, lookedUp, mergeLogons, relatedIncidents, successfulLogons } from './links.js';
import { TriageBatch, type InHand } from './batch.js';
import { mergeMitre, mitreOf, wazuhLevelOf } from './mitre.js';
import { addIndicators, criticalIndicators, findIncident, indicatorsOfIncident, insertIncident, openByFingerprint, patchIncident } from './record.js';

/** An incident row as the model's Incident (with triage's fields beside it). */
export { rowToRecord as rowToIncident } from './record.js';
import { criticalNames, severity, NO_ASSETS, type AssetCriticality } from './severity.js';
import { templateSummary } from './summary/template.js';
import { matchSuppression, type Suppression } from './suppressions.js';
import type { ChangeResult, IncidentRecord, Severity } from './types.js';
import { alertView } from '../model/wcs.js';
import { absorbEvents, eventIdsOfOtherRules } from './detections.js';

export interface TriageOptions {
  /** An incident with no new detection for this long is resolved; a detection after it opens anew. */
  quietPeriod: number;
  /** A detection for a resolved incident within this long of its last event reopens it. */
  reopenWindow?: number;
  assets?: AssetCriticality;
  /** An LLM writes summaries: new and escalated incidents get `summary_state = pending`. */
  llmSummaries?: boolean;
}

export type TriageResult = ChangeResult & {
  /** Changes to related incidents this detection caused (an escalation of the brute force it followed). */
  also: ChangeResult[];
};

export type TriageOutcome = TriageResult | { suppressed: Suppression };

/**
 * The entity of a detection: its group-by values, or for a single-event rule the agent it came from. A Wazuh
 * correlation alert (sshd 5712, Windows 60204: tag `wazuh.correlation`) is about its source address, named by the
 * field Vigil's own rules group the same attack by.
 */
export function entityOf(d: Detection): Record<string, string> {
  if (Object.keys(d.group).length > 0) return d.group;
  const first = d.events[0] ? (alertView(d.events[0]) as any) : undefined;
  if (isWazuhCorrelation(d) && d.events[0]) {
    const ip = evidenceRow(d.events[0]).sourceIp;
    if (ip) return first?.data?.win ? { IpAddress: ip } : { 'data.srcip': ip };
  }
  const agent = first?.agent?.name;
  const entity: Record<string, string> = typeof agent === 'string' ? { host: agent } : {};
  // A forwarded Wazuh alert is one incident per Wazuh rule and host: Shellshock and a rootkit are two attacks.
  if ((isForwarded(d) || isWazuhCorrelation(d)) && first?.rule?.id !== undefined) entity['wazuh rule'] = String(first.rule.id);
  return entity;
}

const isForwarded = (d: Detection) => d.rule.tags.includes('wazuh.forward');
/** Wazuh's own correlation of repeated failures (a rule tagged `wazuh.correlation`): it speaks for itself too. */
const isWazuhCorrelation = (d: Pick<Detection, 'rule'>) => d.rule.tags.includes('wazuh.correlation');

/**
 * The attack a rule's detections belong to when several rules see it (tag `vigil.incident.<family>`): Vigil's
 * SSH brute-force rules and Wazuh's sshd brute-force alert are one attack per source address, so they fold into
 * one incident whichever fires first.
 */
export function familyOf(rule: Pick<RuleRef, 'tags'>): string | undefined {
  const tag = (rule.tags ?? []).find((t) => t.toLowerCase().startsWith('vigil.incident.'));
  return tag ? tag.slice('vigil.incident.'.length).toLowerCase() : undefined;
}

/**
 * The rule as the incident names it. A forwarded Wazuh alert is about what Wazuh saw: Wazuh's
 * `rule.description` ("Shellshock attack detected") is its title, and the description says which Wazuh rule
 * and level it was — never the forwarding rule's configuration help.
 */
export function incidentRule(d: Detection): RuleRef {
  if (!(isForwarded(d) || isWazuhCorrelation(d)) || !d.events[0]) return d.rule;
  const r = (alertView(d.events[0]) as any)?.rule;
  if (typeof r?.description !== 'string' || r.description.trim() === '') return d.rule;
  return { ...d.rule, title: r.description.trim(), description: `Wazuh rule ${r.id ?? '?'}, level ${r.level ?? '?'}: Wazuh's own detection, forwarded as it is.` };
}

/**
 * Account names every attacker tries: two incidents sharing one says nothing (every internet brute force tries
 * "administrator"), so they link on it only when the operator lists it as critical.
 */
const COMMON_ACCOUNTS = new Set([
  'administrator', 'admin', 'root', 'guest', 'user', 'test', 'sa', 'ubuntu', 'oracle', 'postgres', 'pi', 'ftp',
  'support', 'backup', 'mysql', 'operator', 'www-data', 'nobody', 'default', 'demo', 'info', 'service',
]);

/** The critical user names of an asset configuration, lower-cased (asked for every detection). */
const CRITICAL_USERS = new WeakMap<AssetCriticality, Set<string>>();

/** What two incidents may be linked on: addresses and rare accounts; a common account only if critical. */
export function linkable(indicators: Indicator[], assets: AssetCriticality): Indicator[] {
  let critical = CRITICAL_USERS.get(assets);
  if (!critical) CRITICAL_USERS.set(assets, (critical = new Set(criticalNames('user', assets))));
  return indicators.filter((i) => i.kind !== 'user' || critical.has(i.value.toLowerCase()) || !COMMON_ACCOUNTS.has(i.value.toLowerCase()));
}

/**
 * What triage works out of a detection, once: the pipeline, the batch and the fold each ask for its entity,
 * fingerprint and indicators. One memo per detection (a noisy rule makes thousands a second, and every entry of
 * a WeakMap is work for the garbage collector).
 */
interface Facts {
  entity?: Record<string, string>;
  fingerprint?: string;
  indicators?: DetectionIndicators;
  linkedBy?: { assets: AssetCriticality; indicators: Indicator[] };
}
const FACTS = new WeakMap<Detection, Facts>();

function factsOf(d: Detection): Facts {
  let f = FACTS.get(d);
  if (!f) FACTS.set(d, (f = {}));
  return f;
}

const entityOnce = (d: Detection, f = factsOf(d)) => (f.entity ??= entityOf(d));

export function fingerprintOf(d: Detection): string {
  const f = factsOf(d);
  return (f.fingerprint ??= fingerprintOfEntity(d.rule, entityOnce(d, f)));
}

/** The detection's indicators (its entity's and its evidence's). */
export function detectionIndicators(d: Detection): DetectionIndicators {
  const f = factsOf(d);
  return (f.indicators ??= indicatorsOf(d, entityOnce(d, f)));
}

/**
 * The fingerprint of a rule and an entity (a correlation's group-by values). One attack seen by several rules
 * (tag `vigil.incident.<family>`) is the family and the source address, whatever each rule calls the field.
 */
export function fingerprintOfEntity(rule: Pick<RuleRef, 'id' | 'tags'>, entity: Record<string, string>): string {
  const ruleId = rule.id;
  const family = familyOf(rule);
  const values = Object.values(entity);
  if (family && values.length === 1 && isIP(values[0]!) !== 0) {
    return sha1Hex(`family:${family}\u0000ip=${values[0]}`).slice(0, 20);
  }
  const parts = Object.keys(entity)
    .sort()
    .map((k) => `${k}=${entity[k]}`);
  return sha1Hex(`${ruleId}\u0000${parts.join('\u0000')}`).slice(0, 20);
}

/** Namespace of the fingerprint locks among PostgreSQL advisory locks ("Vigi"). */
const FINGERPRINT_LOCKS = 0x56696769;

/**
 * Serialises, across every node sharing a PostgreSQL store, the transactions that fold detections into the
 * incidents of these fingerprints: two nodes triaging the same attack at once end in one incident, and neither
 * writes counts from a reading the other has changed. Transaction-scoped advisory locks, taken in one sorted
 * order so two transactions locking several never deadlock on them; taking one again in the same transaction
 * returns at once. SQLite's single writer already serialises the transactions: nothing to do.
 */
export async function lockFingerprints(trx: Kysely<Database>, fingerprints: Iterable<string>): Promise<void> {
  if (!isPostgres(trx)) return;
  for (const fp of [...new Set(fingerprints)].sort()) await sql`select pg_advisory_xact_lock(${FINGERPRINT_LOCKS}::int4, hashtext(${fp}))`.execute(trx);
}

export function incidentTitle(d: Detection, entity: Record<string, string>): string {
  const who = Object.entries(entity)
    .filter(([k]) => k !== 'wazuh rule')
    .map(([, v]) => v)
    .join(', ');
  const title = incidentRule(d).title;
  return who ? `${title} — ${who}` : title;
}

/** Whether asset criticality names any host or user (asked for every fold). */
const NAMES_ANY = new WeakMap<AssetCriticality, boolean>();
const namesAny = (assets: AssetCriticality) => {
  let named = NAMES_ANY.get(assets);
  if (named === undefined) NAMES_ANY.set(assets, (named = criticalNames('host', assets).length > 0 || criticalNames('user', assets).length > 0));
  return named;
};

/**
 * The severity of an incident with no enrichment verdict and no critical asset (most folds): it depends on the rule
 * level, the Wazuh level and the escalation alone, so each is worked out once (frozen: it is shared).
 */
const PLAIN = new Map<string, Severity>();
function plainSeverity(ruleLevel: Level, wazuhLevel: number, escalated: boolean): Severity {
  const key = `${ruleLevel}\u0000${wazuhLevel}\u0000${escalated}`;
  let s = PLAIN.get(key);
  if (s === undefined) {
    s = severity({ ruleLevel, wazuhLevel, indicators: [], escalated }, { enrichments: [], assets: NO_ASSETS });
    for (const r of s.reasons) Object.freeze(r);
    Object.freeze(s.reasons);
    Object.freeze(s);
    // Bounded: rule and Wazuh levels are few (a Wazuh level outside them is worked out each time).
    if (PLAIN.size < 1000) PLAIN.set(key, s);
  }
  return s;
}

/**
 * Severity from what the incident holds now. In hand (no promise) when asset criticality names nobody: only then
 * does it read the store.
 */
export function assess(
  trx: Kysely<Database>,
  inc: Pick<IncidentRecord, 'id' | 'rule' | 'wazuhLevel' | 'escalated' | 'enrichments'>,
  assets: AssetCriticality,
  batch?: TriageBatch,
): InHand<Severity> {
  const of = (indicators: Indicator[]) =>
    severity({ ruleLevel: inc.rule.level, wazuhLevel: inc.wazuhLevel, indicators, escalated: inc.escalated }, { enrichments: inc.enrichments, assets });
  if (!namesAny(assets)) return inc.enrichments.length === 0 ? plainSeverity(inc.rule.level, inc.wazuhLevel, inc.escalated) : of([]);
  // Critical hosts and users are read from the store: the batch's indicators of this incident are written first.
  return (async () => {
    await batch?.writeIndicators(inc.id);
    return of(await criticalIndicators(trx, inc.id, assets));
  })();
}

export function severityPatch(s: ReturnType<typeof severity>): Updateable<IncidentTable> {
  return { severity_score: s.score, severity_json: JSON.stringify(s.reasons), level: s.level };
}

/** Is the incident's severity this already (a fold that changes no factor: nothing to write)? */
function sameSeverity(before: IncidentRecord['severity'], s: Severity): boolean {
  return (
    before.score === s.score &&
    before.level === s.level &&
    before.reasons.length === s.reasons.length &&
    before.reasons.every((r, i) => {
      const t = s.reasons[i]!;
      return r.factor === t.factor && r.points === t.points && r.detail === t.detail && Object.keys(r).length === Object.keys(t).length;
    })
  );
}

/** The columns a reopening clears. */
const REOPENED: Updateable<IncidentTable> = { status: 'open', resolved_at: null, resolution: null, resolved_by: null, resolution_comment: null, acknowledged_at: null, acknowledged_by: null };

/** Writes the template summary (and marks an LLM summary as due) for an incident people are about to hear of. */
export async function refreshSummary(
  trx: Kysely<Database>,
  inc: IncidentRecord,
  evidence: EvidenceRow[],
  options: TriageOptions,
  now: number,
): Promise<IncidentRecord> {
  // An LLM summary already written stays until the next notifying change; the template is the floor.
  const summary = templateSummary({ incident: inc, indicators: await indicatorsOfIncident(trx, inc.id), evidence }, now);
  await patchIncident(trx, inc.id, { summary_json: JSON.stringify(summary), summary_state: options.llmSummaries ? 'pending' : 'done' });
  return (await findIncident(trx, inc.id))!;
}

const RANK = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;

/** Applies one detection inside the caller's transaction. */
/**
 * A fired correlation absorbed more matches (the attack goes on after its detection): the open incident for
 * that rule and group counts them and moves its last-seen time. Nobody is notified of this; it is what an
 * analyst reads on the incident (a storm of 1,000 failures shows 1,000 events, not the 5 that fired it).
 */
export async function extendIncident(
  trx: Kysely<Database>,
  c: { ruleId: string; tags?: string[]; group: Record<string, string>; count: number; lastTime: number; events?: Event[] },
  now = systemClock(),
  /** The transaction's triage batch: written first (this reads and writes the store), and told of the indicators added. */
  batch?: TriageBatch,
): Promise<boolean> {
  if (Object.keys(c.group).length === 0) return false; // the entity of a group-less rule comes from its events
  const fingerprint = fingerprintOfEntity({ id: c.ruleId, tags: c.tags ?? [] }, c.group);
  await batch?.sync();
  await lockFingerprints(trx, batch ? batch.unlocked([fingerprint]) : [fingerprint]);
  const row = await openByFingerprint(trx, fingerprint);
  if (!row) return false;
  // One alert two rules of the attack saw (Wazuh's 60204 is also a 4625) is counted once.
  const again = familyOf({ tags: c.tags ?? [] }) ? await heldByOthers(trx, row.id, c.ruleId, (c.events ?? []).map((e) => e.id)) : 0;
  await patchIncident(trx, row.id, { event_count: row.eventCount + c.count - again, last_seen: Math.max(row.lastSeen, c.lastTime), updated_at: now });
  // Every counted event is evidence: the absorbed ones join the newest detection's events (up to a cap; the
  // count stays exact and readers say "and N more"), and their users, addresses and hosts join the incident.
  const events = c.events ?? [];
  if (events.length > 0) {
    await absorbEvents(trx, row.id, c.ruleId, events, c.count, MAX_DETECTION_EVENT_IDS);
    const rows = events.map(evidenceRow);
    const evidence = uniqueIndicators(
      rows.flatMap((r) => [
        ...(r.sourceIp ? [{ kind: 'ip' as const, value: r.sourceIp }] : []),
        ...(r.user ? [{ kind: 'user' as const, value: r.user }] : []),
        ...(r.host ? [{ kind: 'host' as const, value: r.host }] : []),
      ]),
    );
    await addIndicators(trx, row.id, evidence, 'evidence', now);
    batch?.addedIndicators(row.id, evidence, now);
  }
  return true;
}

/**
 * How many of these events the incident's detections of other rules already hold: in an incident of one attack
 * family, Wazuh's correlation alert can be an event Vigil's own rule counted too (60204 carries the 4625 it fired
 * on). Read only for family incidents, whose detections of other rules are few.
 */
async function heldByOthers(from: Kysely<Database> | TriageBatch, incidentId: string, ruleId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const held = new Set(from instanceof TriageBatch ? await from.eventIdsOfOtherRules(incidentId, ruleId) : await eventIdsOfOtherRules(from, incidentId, ruleId));
  return ids.filter((id) => held.has(id)).length;
}

/** Event ids one detection row keeps as evidence; beyond it only the count grows. */
export const MAX_DETECTION_EVENT_IDS = 1000;

/**
 * The triage batch of one transaction: the pipeline folds a batch's detections into it and syncs it before the
 * commit (and before anything else reads the incidents). `detections`: those the batch will record.
 */
export function triageBatch(trx: Kysely<Database>, detections: Detection[], options: TriageOptions): TriageBatch {
  const assets = options.assets ?? NO_ASSETS;
  return new TriageBatch(trx, detections, (d) => lookedUp(linkedBy(d, assets)));
}

/** What a detection may be linked to other incidents by (linkable). */
function linkedBy(d: Detection, assets: AssetCriticality): Indicator[] {
  const f = factsOf(d);
  if (f.linkedBy?.assets === assets) return f.linkedBy.indicators;
  const ind = detectionIndicators(d);
  f.linkedBy = { assets, indicators: linkable([...ind.entity, ...ind.evidence], assets) };
  return f.linkedBy.indicators;
}

export function triage(
  trx: Kysely<Database>,
  d: Detection,
  options: TriageOptions,
  ctx: TriageContext = { db: trx },
  now = systemClock(),
): Promise<TriageOutcome> {
  // In the pipeline's batch: the fold's own promise, not one more around it.
  if (ctx.batch) return fold(ctx.batch, d, options, ctx, now);
  // Alone (no pipeline batch): a batch of one, written before returning.
  return (async () => {
    const batch = new TriageBatch(trx);
    const outcome = await fold(batch, d, options, { ...ctx, batch }, now);
    await batch.sync();
    return outcome;
  })();
}

async function fold(batch: TriageBatch, d: Detection, options: TriageOptions, ctx: TriageContext, now: number): Promise<TriageOutcome> {
  const trx = batch.trx;
  const assets = options.assets ?? NO_ASSETS;
  const reopenWindow = Math.max(options.reopenWindow ?? 86_400_000, options.quietPeriod);
  const entity = entityOnce(d);
  const ind = detectionIndicators(d);
  // What the batch has in hand is taken without an await (a noisy rule's fold has all of it in hand).
  const match = batch.matchSuppression(d.rule.id, () => suppressibleIndicators(ind), now);
  const suppressed = match instanceof Promise ? await match : match;
  if (suppressed) return { suppressed };

  const fingerprint = fingerprintOf(d);
  // From here to the commit this transaction alone folds into this fingerprint's incidents (any node). Once
  // locked, or on SQLite, nothing to wait for (a detection's every await is work for the event loop and the GC).
  const unlocked = batch.unlocked([fingerprint]);
  if (unlocked.length > 0) await lockFingerprints(trx, unlocked);
  const mitre = mitreOf(d);
  const wazuhLevel = wazuhLevelOf(d);
  const relating = relatedIncidents(batch, undefined, linkedBy(d, assets), d.firstTime - reopenWindow);
  const related = relating instanceof Promise ? await relating : relating;
  const success = isLogonSuccess(d);
  // The accounts that got in (the 4624's user), from this detection's own evidence: the one fact every message names.
  const logons = success ? successfulLogons(d) : [];
  // The brute-force incidents this logon followed: same address, failures first, not yet closed as benign.
  const followed = success
    ? related.filter(
        (r) =>
          r.shared.kind === 'ip' &&
          r.incident.fingerprint !== fingerprint &&
          isFailureIncident(r.incident) &&
          r.incident.firstSeen <= d.time &&
          r.incident.verdict !== 'false_positive' &&
          r.incident.verdict !== 'benign',
      )
    : [];

  // Locked too (for a change): an analyst's change on another node (a resolve) is waited for and seen before the fold decides.
  const latest = batch.latestByFingerprint(fingerprint);
  const existing = latest instanceof Promise ? await latest : latest;
  const gap = existing ? d.firstTime - existing.lastSeen : Infinity;

  let inc: IncidentRecord;
  let change: IncidentChange;
  if (existing && ((existing.status !== 'resolved' && gap <= options.quietPeriod) || (existing.status === 'resolved' && gap <= reopenWindow))) {
    const reopening = existing.status === 'resolved';
    const again = familyOf(d.rule) ? await heldByOthers(batch, existing.id, d.rule.id, d.eventIds) : 0;
    // One literal of the same columns every time (a noisy rule folds thousands a second); the rest only when changed.
    const fold: Updateable<IncidentTable> = {
      last_seen: Math.max(existing.lastSeen, d.time),
      first_seen: Math.min(existing.firstSeen, d.firstTime),
      detection_count: existing.detectionCount + 1,
      event_count: existing.eventCount + d.count - again,
      wazuh_level: Math.max(existing.wazuhLevel, wazuhLevel),
      escalated: existing.escalated || followed.length > 0 ? 1 : 0,
      last_detection_at: now,
    };
    // Written only when the detection brings a technique the incident lacks (most folds bring none).
    if (mitre.some((t) => !existing.mitre.some((e) => e.id === t.id))) fold.mitre_json = JSON.stringify(mergeMitre(existing.mitre, mitre));
    if (logons.length > 0) fold.logged_on_json = JSON.stringify(mergeLogons(existing.loggedOn, logons));
    if (reopening) Object.assign(fold, REOPENED);
    batch.addIndicators(existing.id, ind.entity, 'entity', now);
    batch.addIndicators(existing.id, ind.evidence, 'evidence', now);
    // Severity reads what the fold changes of the incident: its Wazuh level, whether it is escalated.
    const assessing = assess(
      trx,
      { id: existing.id, rule: existing.rule, enrichments: existing.enrichments, wazuhLevel: fold.wazuh_level as number, escalated: fold.escalated === 1 },
      assets,
      batch,
    );
    const s = assessing instanceof Promise ? await assessing : assessing;
    change = reopening ? 'reopened' : RANK[s.level] > RANK[existing.level] ? 'escalated' : 'updated';
    if (change === 'updated') {
      // Nobody hears of it: the change stays in the batch (the revision, which keys the outbox, stays too).
      if (!sameSeverity(existing.severity, s)) Object.assign(fold, severityPatch(s));
      fold.revision = existing.revision;
      fold.updated_at = now;
      batch.patch(existing.id, fold);
      inc = batch.find(existing.id)!;
    } else {
      batch.patch(existing.id, fold);
      const folded = batch.find(existing.id)!;
      await batch.sync();
      inc = (await applyChange(trx, ctx, folded, severityPatch(s), change, now, false)).incident;
    }
  } else {
    // A new incident: people hear of it, and the message is built from the store.
    await batch.sync();
    const id = sha1Hex(`${fingerprint}\u0000${d.id}`).slice(0, 16);
    await insertIncident(trx, {
      id,
      fingerprint,
      title: incidentTitle(d, entity),
      status: 'open',
      level: d.rule.level,
      rule_id: d.rule.id,
      entity_json: JSON.stringify(entity),
      first_seen: d.firstTime,
      last_seen: d.time,
      detection_count: 1,
      event_count: d.count,
      revision: 1,
      created_at: now,
      updated_at: now,
      severity_score: 0,
      severity_json: '[]',
      wazuh_level: wazuhLevel,
      enrichment_json: '[]',
      escalated: followed.length > 0 ? 1 : 0,
      logged_on_json: JSON.stringify(logons),
      mitre_json: JSON.stringify(mitre),
      rule_json: JSON.stringify(incidentRule(d)),
      last_detection_at: now,
    });
    await addIndicators(trx, id, ind.entity, 'entity', now);
    await addIndicators(trx, id, ind.evidence, 'evidence', now);
    batch.addedIndicators(id, [...ind.entity, ...ind.evidence], now);
    const fresh = (await findIncident(trx, id))!;
    await patchIncident(trx, id, severityPatch(await assess(trx, fresh, assets)));
    inc = (await findIncident(trx, id))!;
    change = 'opened';
  }

  // Record the detection's incident before anyone is told: the message lists the incident's detections.
  const assigning = batch.assignToIncident(d.id, inc.id);
  if (assigning instanceof Promise) await assigning;

  if (related.length > 0)
    await linkAll(
      trx,
      inc.id,
      related.map((r) => ({ id: r.incident.id, reason: r.shared.kind === 'ip' ? `same source address ${r.shared.value}` : `same user ${r.shared.value}` })),
      now,
    );

  const also: ChangeResult[] = [];
  // Escalating the brute force this logon followed is a change people hear of: from the store from here on.
  if (followed.length > 0) await batch.sync();
  for (const r of followed) {
    // The brute force learns which account got in from its address (the one to disable), even when already escalated.
    const fromThere = logons.filter((l) => l.sourceIp === r.shared.value);
    const got = fromThere.length > 0 ? fromThere : logons;
    if (got.length > 0) {
      const before = (await findIncident(trx, r.incident.id))!.loggedOn;
      await patchIncident(trx, r.incident.id, { logged_on_json: JSON.stringify(mergeLogons(before, got)) });
    }
    if (r.incident.escalated) continue;
    await patchIncident(trx, r.incident.id, { escalated: 1 });
    const marked = (await findIncident(trx, r.incident.id))!;
    const escalated = await applyChange(trx, ctx, marked, severityPatch(await assess(trx, marked, assets)), 'escalated', now, false);
    const withSummary = await refreshSummary(trx, escalated.incident, [], options, now);
    const result = { ...escalated, incident: withSummary };
    await announceChange(trx, ctx, result);
    also.push(result);
  }

  const notify = change !== 'updated';
  if (notify) {
    await batch.sync();
    inc = await refreshSummary(trx, inc, ind.rows.slice(-5).reverse(), options, now);
  }
  const result: TriageResult = { incident: inc, change, notify, also };
  if (notify) await announceChange(trx, ctx, result);
  return result;
}

// One transaction's triage: the detections of a batch fold into their incidents in memory, and what they change
// is written once per incident and in multi-row statements when the batch ends, not in fifteen statements per
// detection. A rule that fires on every alert folds a thousand detections of one batch into a few incidents:
// a few dozen statements for the batch instead of fifteen thousand.
//
// What the batch holds stands for the store: its incident rows are what the store would hold had every change
// been written, its indicator and detection rows are still to be written. Every read triage makes in between
// (the newest incident of a fingerprint, an indicator's holders, related incidents, another rule's events) sees
// them. Before anything else reads the store (a notification is built, a continuation extends an incident)
// `sync` writes them all and forgets the incident rows, which are read again when next needed.
import type { Kysely, Selectable, Updateable } from 'kysely';
import { indicatorKey as key, type Detection, type Indicator } from '../model/index.js';
import type { Database, IncidentTable } from '../store/schema.js';
import { isPostgres } from '../store/migrations/util.js';
import { detectionRow, eventIdsOfOtherRules, insertDetections, type NewDetection, recordedDetections, assignToIncident, markSuppressed, recordDetection } from './detections.js';
import { holdersOfMany, insertIndicators, jsonColumns, latestRowByFingerprint, patchIncident, relatedAmong, rowToRecordAfter, rowToRelated, type JsonColumns, type MadeRecord } from './record.js';
import { countHits, firstMatching, liveSuppressions, matchSuppression, type Suppression } from './suppressions.js';
import { TriageError, type IncidentRecord, type RelatedIncident } from './types.js';

/**
 * A value the batch has in hand, or a promise when it must ask the store first. A fold of a noisy rule's detection
 * finds everything in hand: it waits for nothing (each await is a promise and a turn of the event loop).
 */
export type InHand<T> = T | Promise<T>;

/** No holder (most indicators of a noisy rule's detections: a fresh address). */
const NO_HOLDERS: readonly string[] = Object.freeze([]);

/** Suppressions read at once per batch; with more in force, each detection asks the store. */
const LIVE_SUPPRESSIONS = 2000;

interface CachedIncident {
  row: Selectable<IncidentTable>;
  record?: IncidentRecord;
  /** The record last made of the row, and the JSON columns it was made from (kept while the patches touch none). */
  before?: MadeRecord & { json: JsonColumns };
  /** A patch since the record was made changed a JSON column (or the columns the RuleRef is made of). */
  jsonChanged?: boolean;
  /** Columns changed since it was read or written. */
  patch?: Updateable<IncidentTable>;
}

export class TriageBatch {
  /** Incident rows as they are with this batch's changes, by id; the newest incident of a fingerprint, by fingerprint. */
  private readonly incidents = new Map<string, CachedIncident>();
  private readonly latest = new Map<string, string | null>();
  /** Indicators to write, by incident and indicatorKey; and every holder this batch added (written or not). */
  private readonly pendingIndicators = new Map<string, Map<string, { incident_id: string; kind: string; value: string; role: string; first_seen: number }>>();
  private readonly added = new Map<string, { id: string; firstSeen: number }[]>();
  /** Holders read from the store, by indicatorKey (what holdersOfMany gives). */
  private readonly holders = new Map<string, { id: string; firstSeen: number }[]>();
  /** Detections to write, by id; ids recorded before this batch or by it. */
  private readonly pendingDetections = new Map<string, NewDetection>();
  private recorded?: Set<string>;
  private readonly seen = new Set<string>();
  private suppressions?: Suppression[] | null;
  private readonly hits = new Map<number, number>();
  private readonly locked = new Set<string>();

  constructor(
    readonly trx: Kysely<Database>,
    /** The detections the batch will record (one read tells which were recorded before). */
    private readonly expected: Detection[] = [],
    /** The indicators each detection's links are looked up by: their holders are read for the whole batch at once. */
    private readonly lookups: (d: Detection) => Indicator[] = () => [],
  ) {
    this.expectedIds = new Set(expected.map((d) => d.id));
  }

  private readonly expectedIds: Set<string>;

  /** Fingerprints already locked in this transaction (PostgreSQL advisory locks are held to its end). */
  unlocked(fingerprints: Iterable<string>): string[] {
    if (!isPostgres(this.trx)) return [];
    const out = [...new Set(fingerprints)].filter((f) => !this.locked.has(f));
    for (const f of out) this.locked.add(f);
    return out;
  }

  /** Records a detection (written with the batch); false when its id was recorded before. */
  recordDetection(d: Detection, now: number): InHand<boolean> {
    if (this.seen.has(d.id)) return false;
    if (!this.expectedIds.has(d.id)) {
      // Not in the batch's list (a risk detection made in it): asked of the store at once.
      this.seen.add(d.id);
      return recordDetection(this.trx, d, now);
    }
    if (!this.recorded)
      return recordedDetections(this.trx, [...this.expectedIds]).then((recorded) => {
        this.recorded ??= recorded;
        return this.recordExpected(d, now);
      });
    return this.recordExpected(d, now);
  }

  private recordExpected(d: Detection, now: number): boolean {
    if (this.recorded!.has(d.id)) return false;
    this.seen.add(d.id);
    this.pendingDetections.set(d.id, { row: detectionRow(d, now), eventIds: d.eventIds, rule: d.rule });
    return true;
  }

  assignToIncident(detectionId: string, incidentId: string): InHand<void> {
    const p = this.pendingDetections.get(detectionId);
    if (p) p.row.incident_id = incidentId;
    else return assignToIncident(this.trx, detectionId, incidentId);
  }

  markSuppressed(detectionId: string, suppressionId: number): InHand<void> {
    const p = this.pendingDetections.get(detectionId);
    if (p) p.row.suppression_id = suppressionId;
    else return markSuppressed(this.trx, detectionId, suppressionId);
  }

  /** matchSuppression over the suppressions in force, read once per batch; the hit is counted when the batch is written. */
  matchSuppression(ruleId: string, indicatorsOf: () => Indicator[], now: number): InHand<Suppression | undefined> {
    if (this.suppressions === undefined)
      return liveSuppressions(this.trx, now, LIVE_SUPPRESSIONS + 1).then((live) => {
        this.suppressions = live.length > LIVE_SUPPRESSIONS ? null : live;
        return this.matchRead(ruleId, indicatorsOf, now);
      });
    return this.matchRead(ruleId, indicatorsOf, now);
  }

  /** matchSuppression once the suppressions in force are read (null: too many to hold, each detection asks the store). */
  private matchRead(ruleId: string, indicatorsOf: () => Indicator[], now: number): InHand<Suppression | undefined> {
    const live = this.suppressions!;
    // None in force (the usual case): the detection's indicators need not even be worked out.
    if (live?.length === 0) return undefined;
    const indicators = indicatorsOf();
    if (indicators.length === 0) return undefined;
    if (live === null) return matchSuppression(this.trx, ruleId, indicators, now);
    const s = firstMatching(live, ruleId, indicators, now);
    if (!s) return undefined;
    const before = this.hits.get(s.id) ?? 0;
    this.hits.set(s.id, before + 1);
    return { ...s, hits: s.hits + before };
  }

  /** The newest incident of a fingerprint (locked for the transaction on PostgreSQL when first read). */
  latestByFingerprint(fingerprint: string): InHand<IncidentRecord | undefined> {
    const id = this.latest.get(fingerprint);
    if (id === undefined)
      return latestRowByFingerprint(this.trx, fingerprint, true).then((row) => {
        this.latest.set(fingerprint, row ? row.id : null);
        if (row && !this.incidents.has(row.id)) this.incidents.set(row.id, { row });
        return row ? this.find(row.id) : undefined;
      });
    return id === null ? undefined : this.find(id);
  }

  /** An incident this batch read, as it is with the batch's changes. */
  find(id: string): IncidentRecord | undefined {
    const c = this.incidents.get(id);
    if (!c) return undefined;
    if (!c.record) {
      const made = rowToRecordAfter(c.row, c.before);
      c.record = made.record;
      // The JSON columns are taken again only when a patch changed one (a fold changes counts and times).
      c.before = { record: made.record, rule: made.rule, json: c.before && !c.jsonChanged ? c.before.json : jsonColumns(c.row) };
      c.jsonChanged = false;
    }
    return c.record;
  }

  /** Changes columns of an incident this batch read; written when the batch is. */
  patch(id: string, patch: Updateable<IncidentTable>): void {
    const c = this.incidents.get(id);
    if (!c) throw new TriageError('not_found', `incident ${id} was not read by this batch`);
    const row = c.row as Record<string, unknown>;
    const pending = (c.patch ??= {}) as Record<string, unknown>;
    for (const k in patch) {
      const v = (patch as Record<string, unknown>)[k];
      if (!c.jsonChanged && k in JSON_COLUMNS && row[k] !== v) c.jsonChanged = true;
      row[k] = v;
      pending[k] = v;
    }
    c.record = undefined;
  }

  /** Indicators the incident is to hold (written with the batch; one it holds already stays as it is). */
  addIndicators(incidentId: string, list: Indicator[], role: 'entity' | 'evidence', now: number): void {
    let mine = this.pendingIndicators.get(incidentId);
    for (const i of list) {
      const k = key(i);
      const holders = this.added.get(k);
      if (holders === undefined) this.added.set(k, [{ id: incidentId, firstSeen: now }]);
      else if (holds(holders, incidentId)) continue;
      else holders.unshift({ id: incidentId, firstSeen: now });
      if (!mine) this.pendingIndicators.set(incidentId, (mine = new Map()));
      mine.set(k, { incident_id: incidentId, kind: i.kind, value: i.value, role, first_seen: now });
    }
  }

  /** Indicators a new incident took up, written already: its holders are known to the batch's reads. */
  addedIndicators(incidentId: string, list: Indicator[], now: number): void {
    for (const i of list) {
      const holders = this.added.get(key(i)) ?? [];
      if (!holders.some((h) => h.id === incidentId)) holders.unshift({ id: incidentId, firstSeen: now });
      this.added.set(key(i), holders);
    }
  }

  /**
   * holdersOfMany with this batch's changes: the `limit` most recent holders of each indicator, newest first, in the
   * indicators' order. Those the store holds are read for every indicator of the batch's detections at once, when
   * the first is asked.
   */
  holdersOf(indicators: Indicator[], limit: number): InHand<(readonly string[])[]> {
    const keys = indicators.map(key);
    if (keys.every((k) => this.holders.has(k))) return keys.map((k) => this.holdersInHand(k, limit));
    const more = new Map<string, Indicator>();
    indicators.forEach((i, n) => {
      if (!this.holders.has(keys[n]!)) more.set(keys[n]!, i);
    });
    for (const d of this.expected) for (const i of this.lookups(d)) if (!this.holders.has(key(i))) more.set(key(i), i);
    return holdersOfMany(this.trx, [...more.values()], limit).then((read) => {
      for (const [k, list] of read) this.holders.set(k, list);
      return keys.map((k) => this.holdersInHand(k, limit));
    });
  }

  /** One indicator's holders: those this batch added, newest first, then those the store held. */
  private holdersInHand(k: string, limit: number): readonly string[] {
    const added = this.added.get(k);
    const stored = this.holders.get(k);
    if (added === undefined && (stored === undefined || stored.length === 0)) return NO_HOLDERS;
    const ids: string[] = [];
    for (const list of [added, stored]) {
      for (const h of list ?? []) {
        if (ids.length >= limit) break;
        if (!ids.includes(h.id)) ids.push(h.id);
      }
    }
    return ids;
  }

  /** relatedAmong with this batch's changes: incidents it read are taken as they are now. */
  relatedAmong(ids: string[], since: number, limit: number): InHand<RelatedIncident[]> {
    const inHand = ids.filter((id) => this.incidents.has(id));
    const mine = inHand.map((id) => rowToRelated(this.incidents.get(id)!.row)).filter((r) => r.lastSeen >= since);
    const newest = (fromStore: (RelatedIncident & { lastSeen: number })[]) =>
      [...fromStore, ...mine]
        .sort((a, b) => b.lastSeen - a.lastSeen)
        .slice(0, limit)
        .map(({ lastSeen: _, ...r }) => r);
    // Every one of them in hand (incidents this batch folded into): nothing to ask the store.
    if (inHand.length === ids.length) return newest([]);
    return relatedAmong(this.trx, ids.filter((id) => !this.incidents.has(id)), since, limit).then(newest);
  }

  /** The event ids an incident's detections of other rules hold, those still to be written included. */
  async eventIdsOfOtherRules(incidentId: string, ruleId: string): Promise<string[]> {
    const stored = await eventIdsOfOtherRules(this.trx, incidentId, ruleId);
    for (const p of this.pendingDetections.values()) if (p.row.incident_id === incidentId && p.row.rule_id !== ruleId) stored.push(...p.eventIds);
    return stored;
  }

  /** Writes the indicators still to be written for this incident, so that a read of its indicators in the store finds them. */
  async writeIndicators(incidentId: string): Promise<void> {
    const mine = this.pendingIndicators.get(incidentId);
    if (!mine || mine.size === 0) return;
    this.pendingIndicators.delete(incidentId);
    await insertIndicators(this.trx, [...mine.values()]);
  }

  /**
   * Writes everything the batch holds and forgets the incident rows (read again when next needed): from here
   * the store is the truth, for whatever reads it next.
   */
  async sync(): Promise<void> {
    const trx = this.trx;
    const patches = [...this.incidents].filter(([, c]) => c.patch !== undefined).map(([id, c]) => [id, c.patch!] as const);
    const indicators = [...this.pendingIndicators.values()].flatMap((m) => [...m.values()]);
    const detections = [...this.pendingDetections.values()];
    const hits = [...this.hits];
    this.forget();
    for (const [id, patch] of patches) await patchIncident(trx, id, patch);
    if (indicators.length > 0) await insertIndicators(trx, indicators);
    if (detections.length > 0) {
      for (const d of detections) this.recorded?.add(d.row.id);
      await insertDetections(trx, detections);
    }
    for (const [id, n] of hits) await countHits(trx, id, n);
  }

  /** Drops what the batch holds unwritten and what it read (a savepoint rolled back the record it belonged to). */
  discard(): void {
    this.forget();
    this.added.clear();
    this.holders.clear();
  }

  private forget(): void {
    this.incidents.clear();
    this.latest.clear();
    this.pendingIndicators.clear();
    this.pendingDetections.clear();
    this.hits.clear();
  }
}

/** Does this list of holders name the incident? */
function holds(holders: { id: string }[], incidentId: string): boolean {
  for (const h of holders) if (h.id === incidentId) return true;
  return false;
}

/** The columns a record is parsed from (JSON) or its RuleRef made of: a patch of one makes find() take them again. */
const JSON_COLUMNS: Record<keyof JsonColumns, true> = {
  severity_json: true,
  rule_json: true,
  entity_json: true,
  logged_on_json: true,
  mitre_json: true,
  enrichment_json: true,
  summary_json: true,
  rule_id: true,
  title: true,
  level: true,
};

// The durable record of every accepted alert. Ingest writes here before it acknowledges; the pipeline reads
// forward from its cursor. The unique key makes a second delivery of the same alert (from any source) a no-op.
import { systemClock } from '../clock.js';
import type { CompiledQuery, Insertable, Kysely, Selectable } from 'kysely';
import type { DurabilityScope } from './durability.js';
import { markedRows, sizeFor, templated } from './templated.js';
import type { Event } from '../model/index.js';
import type { AlertTable, Database } from './schema.js';
import { isPostgres } from './migrations/util.js';

export interface AlertRecord {
  key: string;
  eventId: string;
  format: string;
  source: string;
  body: string;
  /** The event as intake parsed it: not stored, handed to the pipeline in memory (src/pipeline/handoff.ts). */
  event?: Event;
}

export interface StoredAlert extends AlertRecord {
  seq: number;
  receivedAt: number;
}

export interface BatchResult {
  accepted: number;
  duplicates: number;
  /** The sequence number each record got, aligned with the batch; null where it was a duplicate. */
  seqs: (number | null)[];
}

const COLUMNS = ['key', 'event_id', 'format', 'source', 'received_at', 'body'] as const;

/**
 * The insert of these records, skipping keys already recorded. PostgreSQL returns what it inserted; SQLite does
 * not need to (see `insertedSeqs`), and building a row of JavaScript per alert was a good part of the insert's cost.
 */
function insertAlerts(db: Kysely<Database>, chunk: AlertRecord[], now: number, returning: boolean): CompiledQuery {
  const value = (i: number) => {
    const a = chunk[Math.floor(i / COLUMNS.length)]!;
    const c = i % COLUMNS.length;
    return c === 0 ? a.key : c === 1 ? a.eventId : c === 2 ? a.format : c === 3 ? a.source : c === 4 ? now : a.body;
  };
  return templated(db, returning ? 'alerts.insert.returning' : 'alerts.insert', chunk.length, value, (marker) => {
    const insert = db
      .insertInto('alerts')
      .values(markedRows(chunk.length, COLUMNS, marker) as unknown as Insertable<AlertTable>[])
      .onConflict((oc) => oc.column('key').doNothing());
    return returning ? insert.returning(['seq', 'key']) : insert;
  });
}

/**
 * The sequence number each record of a chunk got from its insert (null: its key was taken, by an earlier
 * transaction, an earlier chunk of this one or an earlier record of this chunk). SQLite numbers a new row one
 * past the largest number the table ever had (AUTOINCREMENT), so with the writer held the rows one insert adds
 * are numbered above every row before them, in VALUES order, up to the last insert rowid. When every row went in,
 * that says each one's number without reading anything back. When some did not, the numbers are not consecutive
 * (a skipped row uses one up too): the rows just added are the `inserted` highest up to the last insert rowid,
 * read back to see which keys they were.
 */
async function insertedSeqs(trx: Kysely<Database>, chunk: AlertRecord[], now: number, postgres: boolean): Promise<(number | null)[]> {
  const result = await trx.executeQuery<{ seq: number | string; key: string }>(insertAlerts(trx, chunk, now, postgres));
  let rows = result.rows;
  if (!postgres) {
    const inserted = Number(result.numAffectedRows ?? 0);
    const last = Number(result.insertId ?? 0);
    if (inserted === chunk.length) return chunk.map((_, j) => last - inserted + 1 + j);
    rows = inserted === 0 ? [] : await trx.selectFrom('alerts').select(['seq', 'key']).where('seq', '<=', last).orderBy('seq', 'desc').limit(inserted).execute();
  }
  const byKey = new Map(rows.map((r) => [r.key, Number(r.seq)]));
  // A key repeated inside the chunk was inserted once: the first occurrence gets the sequence number.
  return chunk.map((a) => {
    const seq = byKey.get(a.key);
    byKey.delete(a.key);
    return seq ?? null;
  });
}

/** Records a batch in one transaction; returns how many were new and how many were duplicates. */
export async function recordAlerts(
  db: Kysely<Database>,
  batch: AlertRecord[],
  now = systemClock(),
): Promise<BatchResult> {
  return (await recordAlertBatches(db, [batch], now))[0]!;
}

/**
 * Records several callers' batches in one transaction (one commit, one fsync, for all of them) and returns each
 * caller's own counts. A later batch that repeats an earlier one's alert counts it as a duplicate.
 */
export async function recordAlertBatches(
  db: Kysely<Database>,
  batches: AlertRecord[][],
  now = systemClock(),
  /** Inside committedFirst (./durability.ts): the transaction binds itself to its scope. */
  scope?: DurabilityScope,
): Promise<BatchResult[]> {
  if (batches.every((b) => b.length === 0)) return batches.map(() => ({ accepted: 0, duplicates: 0, seqs: [] }));
  // Every caller's records in one list, in batch order; their sequence numbers in a list beside it.
  const all = batches.length === 1 ? batches[0]! : batches.flat();
  const postgres = isPostgres(db);
  const seqs = await db.transaction().execute(async (trx) => {
    await scope?.bind(trx);
    const out: (number | null)[] = [];
    for (let i = 0; i < all.length; ) {
      const n = sizeFor(all.length - i);
      for (const seq of await insertedSeqs(trx, all.slice(i, i + n), now, postgres)) out.push(seq);
      i += n;
    }
    return out;
  });
  let at = 0;
  return batches.map((batch) => {
    const own = seqs.slice(at, (at += batch.length));
    let accepted = 0;
    for (const s of own) if (s !== null) accepted++;
    return { accepted, duplicates: batch.length - accepted, seqs: own };
  });
}

/** Alerts after a sequence number, oldest first; `upto` bounds them (the last one the caller knows was recorded). */
export async function readAlertsAfter(db: Kysely<Database>, seq: number, limit: number, upto = Infinity): Promise<StoredAlert[]> {
  let q = db.selectFrom('alerts').selectAll().where('seq', '>', seq);
  if (Number.isFinite(upto)) q = q.where('seq', '<=', upto);
  const rows = await q.orderBy('seq').limit(limit).execute();
  return rows.map(toStored);
}

/** Alerts received at or after a time, up to a sequence number: the window replayed to warm correlation state. */
export async function readAlertsBetween(
  db: Kysely<Database>,
  sinceReceivedAt: number,
  uptoSeq: number,
  afterSeq: number,
  limit: number,
): Promise<StoredAlert[]> {
  const rows = await db
    .selectFrom('alerts')
    .selectAll()
    .where('received_at', '>=', sinceReceivedAt)
    .where('seq', '<=', uptoSeq)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map(toStored);
}

export async function alertsByEventIds(db: Kysely<Database>, ids: string[]): Promise<StoredAlert[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('alerts').selectAll().where('event_id', 'in', ids).orderBy('seq').execute();
  return rows.map(toStored);
}

function toStored(r: Selectable<AlertTable>): StoredAlert {
  return {
    seq: Number(r.seq),
    key: r.key,
    eventId: r.event_id,
    format: r.format,
    source: r.source,
    body: r.body,
    receivedAt: Number(r.received_at),
  };
}

/** Stored alerts newest first, below a sequence number (all when omitted): the pivot's bounded scan. */
export async function scanAlerts(db: Kysely<Database>, options: { beforeSeq?: number; limit: number }): Promise<StoredAlert[]> {
  let q = db.selectFrom('alerts').selectAll();
  if (options.beforeSeq !== undefined) q = q.where('seq', '<', options.beforeSeq);
  const rows = await q.orderBy('seq', 'desc').limit(options.limit).execute();
  return rows.map(toStored);
}

/** The highest sequence number recorded (0 when none). */
export async function alertsHead(db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('alerts').select((eb) => eb.fn.max('seq').as('head')).executeTakeFirst();
  return Number(r?.head ?? 0);
}

/** When the newest copy of an event was recorded, if it is still stored. */
export async function receivedAtOf(db: Kysely<Database>, eventId: string): Promise<number | null> {
  const r = await db.selectFrom('alerts').select('received_at').where('event_id', '=', eventId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return r ? Number(r.received_at) : null;
}

/** Alerts a new detection holds as evidence: retention keeps them while any detection does. */
export async function markEvidence(trx: Kysely<Database>, eventIds: string[]): Promise<void> {
  const ids = [...new Set(eventIds)];
  for (let i = 0; i < ids.length; ) {
    const n = sizeFor(ids.length - i);
    const chunk = ids.slice(i, i + n);
    await trx.executeQuery(
      templated(trx, 'alerts.mark', n, (k) => chunk[k], (marker) =>
        trx
          .updateTable('alerts')
          .set((eb) => ({ refs: eb('refs', '+', 1) }))
          .where('event_id', 'in', chunk.map((_, k) => marker(k))),
      ),
    );
    i += n;
  }
}

/**
 * A detection that held these alerts is being deleted (retention): each loses one holder, and those no detection
 * holds any more and the raw-alert purge has already passed (seq ≤ `purgedTo`) are deleted now.
 */
export async function releaseEvidence(trx: Kysely<Database>, eventIds: string[], purgedTo: number): Promise<number> {
  const ids = [...new Set(eventIds)];
  let deleted = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await trx.updateTable('alerts').set((eb) => ({ refs: eb('refs', '-', 1) })).where('event_id', 'in', chunk).where('refs', '>', 0).execute();
    const r = await trx.deleteFrom('alerts').where('event_id', 'in', chunk).where('refs', '<=', 0).where('seq', '<=', purgedTo).executeTakeFirst();
    deleted += Number(r.numDeletedRows ?? 0);
  }
  return deleted;
}

/**
 * One batch of the raw-alert purge: walks forward from `afterSeq` over alerts the pipeline has handled
 * (seq ≤ `uptoSeq`) and received before `before`, deleting those no detection holds. Returns how many were
 * deleted and how far the walk got (the caller stores it with the deletion, in the same transaction).
 */
export async function purgeRawAlerts(
  trx: Kysely<Database>,
  range: { afterSeq: number; uptoSeq: number; before: number; limit: number },
): Promise<{ deleted: number; reached: number; more: boolean }> {
  const rows = await trx
    .selectFrom('alerts')
    .select(['seq', 'received_at'])
    .where('seq', '>', range.afterSeq)
    .where('seq', '<=', range.uptoSeq)
    .orderBy('seq')
    .limit(range.limit)
    .execute();
  let reached = range.afterSeq;
  for (const r of rows) {
    // Received in sequence order: the first one still young ends the walk.
    if (Number(r.received_at) >= range.before) break;
    reached = Number(r.seq);
  }
  if (reached === range.afterSeq) return { deleted: 0, reached, more: false };
  const r = await trx.deleteFrom('alerts').where('seq', '>', range.afterSeq).where('seq', '<=', reached).where('refs', '=', 0).executeTakeFirst();
  return { deleted: Number(r.numDeletedRows ?? 0), reached, more: rows.length === range.limit && reached === Number(rows[rows.length - 1]!.seq) };
}

/** The first sequence number received at or after a time (one past the head when none is): where a backtest starts. */
export async function firstAlertSince(db: Kysely<Database>, since: number): Promise<number> {
  const r = await db.selectFrom('alerts').select((eb) => eb.fn.min('seq').as('first')).where('received_at', '>=', since).executeTakeFirst();
  if (r?.first !== null && r?.first !== undefined) return Number(r.first);
  return (await alertsHead(db)) + 1;
}

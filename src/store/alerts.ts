// The durable record of every accepted alert. Ingest writes here before it acknowledges; the pipeline reads
// forward from its cursor. The unique key makes a second delivery of the same alert (from any source) a no-op.
import type { Kysely, Selectable } from 'kysely';
import type { AlertTable, Database } from './schema.js';

export interface AlertRecord {
  key: string;
  eventId: string;
  format: string;
  source: string;
  body: string;
}

export interface StoredAlert extends AlertRecord {
  seq: number;
  receivedAt: number;
}

/** Records a batch in one transaction; returns how many were new and how many were duplicates. */
export async function recordAlerts(
  db: Kysely<Database>,
  batch: AlertRecord[],
  now = Date.now(),
): Promise<{ accepted: number; duplicates: number }> {
  return (await recordAlertBatches(db, [batch], now))[0]!;
}

/**
 * Records several callers' batches in one transaction (one commit, one fsync, for all of them) and returns each
 * caller's own counts. A later batch that repeats an earlier one's alert counts it as a duplicate.
 */
export async function recordAlertBatches(
  db: Kysely<Database>,
  batches: AlertRecord[][],
  now = Date.now(),
): Promise<{ accepted: number; duplicates: number }[]> {
  const accepted = batches.map(() => 0);
  if (batches.every((b) => b.length === 0)) return batches.map(() => ({ accepted: 0, duplicates: 0 }));
  await db.transaction().execute(async (trx) => {
    for (let b = 0; b < batches.length; b++) {
      const batch = batches[b]!;
      // Chunks keep each statement under SQLite's bound-parameter limit.
      for (let i = 0; i < batch.length; i += 500) {
        const rows = batch.slice(i, i + 500).map((a) => ({
          key: a.key,
          event_id: a.eventId,
          format: a.format,
          source: a.source,
          received_at: now,
          body: a.body,
        }));
        const result = await trx
          .insertInto('alerts')
          .values(rows)
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        accepted[b]! += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
    }
  });
  return batches.map((batch, b) => ({ accepted: accepted[b]!, duplicates: batch.length - accepted[b]! }));
}

export async function readAlertsAfter(db: Kysely<Database>, seq: number, limit: number): Promise<StoredAlert[]> {
  const rows = await db.selectFrom('alerts').selectAll().where('seq', '>', seq).orderBy('seq').limit(limit).execute();
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

// Records set aside with their reason (ingest_quarantine): what a source could not read, and what the pipeline
// could not process. Kept for an operator to look at; nothing is silently lost.
import { systemClock } from '../clock.js';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface QuarantineRow {
  source: string;
  reason: string;
  detail: string;
  size: number;
  /** The record's first bytes as text, or `base64:…` when they are not text. */
  sample: string;
}

/** Text PostgreSQL cannot hold (NUL) is written base64 like any other binary sample; the detail just loses it. */
const storable = (sample: string) => (sample.includes('\u0000') ? 'base64:' + Buffer.from(sample).toString('base64') : sample);

export async function quarantineRecords(db: Kysely<Database>, rows: QuarantineRow[], now = systemClock()): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('ingest_quarantine')
    .values(rows.map((r) => ({ source: r.source, reason: r.reason, detail: r.detail.replace(/\u0000/g, '\ufffd').slice(0, 1000), size: r.size, sample: storable(r.sample), received_at: now })))
    .execute();
}

/** Retention: quarantined records received before `before`, at most `limit`; returns how many went. */
export async function purgeQuarantine(db: Kysely<Database>, before: number, limit: number): Promise<number> {
  const ids = db.selectFrom('ingest_quarantine').select('id').where('received_at', '<', before).limit(limit);
  const r = await db.deleteFrom('ingest_quarantine').where('id', 'in', ids).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

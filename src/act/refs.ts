// External references per incident and channel: the ticket, alert or chat thread an incident became, so a
// later revision updates it instead of creating another one.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { ExternalRef } from './channel.js';

export async function getRef(db: Kysely<Database>, incidentId: string, channel: string): Promise<ExternalRef | undefined> {
  const row = await db
    .selectFrom('action_refs')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('channel', '=', channel)
    .executeTakeFirst();
  if (!row) return undefined;
  return { externalId: row.external_id, thread: row.thread ?? undefined, url: row.url ?? undefined };
}

export async function saveRef(db: Kysely<Database>, incidentId: string, channel: string, ref: ExternalRef, now = Date.now()): Promise<void> {
  await db
    .insertInto('action_refs')
    .values({
      incident_id: incidentId,
      channel,
      external_id: ref.externalId,
      thread: ref.thread ?? null,
      url: ref.url ?? null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['incident_id', 'channel']).doUpdateSet({ external_id: ref.externalId, thread: ref.thread ?? null, url: ref.url ?? null, updated_at: now }),
    )
    .execute();
}

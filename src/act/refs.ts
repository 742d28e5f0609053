// External references per incident and channel: the ticket, alert or chat thread an incident became, so a
// later revision updates it instead of creating another one.
import { systemClock } from '../clock.js';
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

export async function saveRef(db: Kysely<Database>, incidentId: string, channel: string, ref: ExternalRef, now = systemClock()): Promise<void> {
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

export const refKey = (incidentId: string, channel: string) => `${incidentId}\u0000${channel}`;

/** The references of these incidents, by `refKey(incident, channel)`. */
export async function refsOfIncidents(db: Kysely<Database>, incidentIds: string[]): Promise<Map<string, ExternalRef>> {
  const out = new Map<string, ExternalRef>();
  for (let i = 0; i < incidentIds.length; i += 500) {
    const rows = await db.selectFrom('action_refs').selectAll().where('incident_id', 'in', incidentIds.slice(i, i + 500)).execute();
    for (const r of rows) out.set(refKey(r.incident_id, r.channel), { externalId: r.external_id, thread: r.thread ?? undefined, url: r.url ?? undefined });
  }
  return out;
}

/** Retention: the references of incidents that go. */
export async function deleteRefsOf(trx: Kysely<Database>, incidentIds: string[]): Promise<number> {
  const r = await trx.deleteFrom('action_refs').where('incident_id', 'in', incidentIds).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

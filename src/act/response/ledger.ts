// The responses table, the only module that queries it: every block request with its state, and the
// server-side ledger of offences. Vigil, not the agent, remembers how often an address was blocked, so a repeat
// offender's block lasts longer on every platform (Wazuh's repeated_offenders works only on Linux agents).
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { ResponseConfig } from '../../config/schema.js';
import type { Database, ResponseTable } from '../../store/schema.js';

export type ResponseRow = Selectable<ResponseTable>;

export async function responseRow(db: Kysely<Database>, id: number): Promise<ResponseRow | undefined> {
  return db.selectFrom('responses').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The request already made for this incident, address and playbook, if any. */
export async function requestOf(db: Kysely<Database>, incidentId: string, address: string, playbook: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('responses')
    .select('id')
    .where('incident_id', '=', incidentId)
    .where('address', '=', address)
    .where('playbook', '=', playbook)
    .executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

export async function insertResponse(db: Kysely<Database>, row: Insertable<ResponseTable>): Promise<number> {
  const inserted = await db.insertInto('responses').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(inserted.id);
}

/** Newest first, by incident and state. */
export async function listResponses(db: Kysely<Database>, q: { incidentId?: string; state?: string; limit: number }): Promise<ResponseRow[]> {
  let query = db.selectFrom('responses').selectAll();
  if (q.incidentId) query = query.where('incident_id', '=', q.incidentId);
  if (q.state) query = query.where('state', '=', q.state);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

/**
 * Writes columns of one response; with `when`, only while it is in that state (and, with `unused`, its approval
 * not used yet). Returns whether the row changed.
 */
export async function updateResponse(db: Kysely<Database>, id: number, patch: Updateable<ResponseTable>, when?: { state: string; unused?: boolean }): Promise<boolean> {
  let q = db.updateTable('responses').set(patch).where('id', '=', id);
  if (when) q = q.where('state', '=', when.state);
  if (when?.unused) q = q.where('approval_used_at', 'is', null);
  return Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
}

/** Blocks started after `since` (the blast-radius cap). */
export async function blocksSince(db: Kysely<Database>, since: number): Promise<number> {
  const row = await db
    .selectFrom('responses')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('blocked_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface Offence {
  /** 1 for the first block within the repeat window, 2 for the second, … */
  offence: number;
  durationMs: number;
}

export async function nextOffence(db: Kysely<Database>, address: string, config: Pick<ResponseConfig, 'durations' | 'repeatWindow'>, now: number): Promise<Offence> {
  const row = await db
    .selectFrom('responses')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('address', '=', address)
    .where('blocked_at', 'is not', null)
    .where('blocked_at', '>', now - config.repeatWindow)
    .executeTakeFirstOrThrow();
  const offence = Number(row.n) + 1;
  return { offence, durationMs: config.durations[Math.min(offence, config.durations.length) - 1]! };
}

/** Response states whose row the unblock scheduler or an approval still needs. */
const LIVE = ['awaiting-approval', 'approved', 'blocked'];

/** Incidents with a block awaiting a decision or still in force, as a subquery (retention keeps them). */
export function incidentsWithLiveResponses(db: Kysely<Database>) {
  return db.selectFrom('responses').select('incident_id').where('state', 'in', LIVE);
}

/** Retention: the responses of incidents that go. */
export async function deleteResponsesOf(trx: Kysely<Database>, incidentIds: string[]): Promise<number> {
  const r = await trx.deleteFrom('responses').where('incident_id', 'in', incidentIds).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

// The comment thread of an incident: who said what, when. Owns the incident_comments table. A comment is also
// an audit row (an analyst action), and the timeline and update mails read the thread from here.
import type { Kysely } from 'kysely';
import { audit } from '../store/audit.js';
import type { Database } from '../store/schema.js';
import { clock, type TriageContext } from './context.js';
import { requireIncident } from './record.js';
import { TriageError } from './types.js';

export interface Comment {
  id: number;
  incidentId: string;
  author: string;
  at: number;
  text: string;
}

export const MAX_COMMENT = 4000;

export async function addComment(ctx: TriageContext, incidentId: string, author: string, text: string): Promise<Comment> {
  const body = typeof text === 'string' ? text.trim() : '';
  if (body === '') throw new TriageError('invalid', 'a comment needs text');
  if (body.length > MAX_COMMENT) throw new TriageError('invalid', `a comment is at most ${MAX_COMMENT} characters`);
  if (!author?.trim()) throw new TriageError('invalid', 'an actor is required');
  const now = clock(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    await requireIncident(trx, incidentId);
    const row = await trx
      .insertInto('incident_comments')
      .values({ incident_id: incidentId, author, at: now, text: body })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    await audit(trx, { actor: author, action: 'incident.comment', target: `incident:${incidentId}`, result: 'ok', details: { comment: id } }, now);
    return { id, incidentId, author, at: now, text: body };
  });
}

/** The thread, oldest first (bounded: an incident's page and mail show the newest `limit`). */
export async function commentsOf(db: Kysely<Database>, incidentId: string, limit = 500): Promise<Comment[]> {
  const rows = await db.selectFrom('incident_comments').selectAll().where('incident_id', '=', incidentId).orderBy('id', 'desc').limit(limit).execute();
  return rows.reverse().map((r) => ({ id: Number(r.id), incidentId: r.incident_id, author: r.author, at: Number(r.at), text: r.text }));
}

/** Retention: the comments of incidents that go. */
export async function deleteCommentsOf(trx: Kysely<Database>, incidentIds: string[]): Promise<number> {
  const r = await trx.deleteFrom('incident_comments').where('incident_id', 'in', incidentIds).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

// Browser sessions: a random id in an http-only cookie, its digest in the store, and a CSRF token bound to it.
import { systemClock } from '../../clock.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { digest, newSecret } from './digest.js';
import { isRole, type Principal } from './roles.js';
import { userAccount } from './users.js';

export interface NewSession {
  id: string;
  csrfToken: string;
  expiresAt: number;
}

export async function createSession(db: Kysely<Database>, userName: string, ttlMs: number, now = systemClock()): Promise<NewSession> {
  const id = newSecret();
  const csrfToken = newSecret();
  const expiresAt = now + ttlMs;
  await db.insertInto('sessions').values({ id_hash: digest(id), user_name: userName, csrf_token: csrfToken, created_at: now, expires_at: expiresAt }).execute();
  // Expired sessions go when new ones come: no timer needed.
  await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
  return { id, csrfToken, expiresAt };
}

export async function sessionPrincipal(db: Kysely<Database>, id: string, now = systemClock()): Promise<Principal | null> {
  const hash = digest(id);
  const row = await db.selectFrom('sessions').select(['user_name', 'csrf_token', 'expires_at']).where('id_hash', '=', hash).executeTakeFirst();
  if (!row || Number(row.expires_at) < now) return null;
  const user = await userAccount(db, row.user_name);
  if (!user || user.disabled || !isRole(user.role)) return null;
  return { kind: 'user', name: row.user_name, role: user.role, csrfToken: row.csrf_token, sessionHash: hash };
}

export async function endSession(db: Kysely<Database>, hash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', hash).execute();
}

/** Retention: sessions expired before `now`; returns how many went. */
export async function purgeExpiredSessions(db: Kysely<Database>, now: number): Promise<number> {
  const r = await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

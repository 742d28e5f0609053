// API tokens for automation: shown once, stored as a digest, scoped to a role, revocable. Separate from the
// ingest token, which only ingests.
import { systemClock } from '../../clock.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { digest, newSecret } from './digest.js';
import { isRole, type Principal, type Role } from './roles.js';

export const TOKEN_PREFIX = 'vgl_';

export interface ApiToken {
  id: number;
  name: string;
  scope: Role;
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export async function createToken(db: Kysely<Database>, name: string, scope: Role, createdBy: string, now = systemClock()): Promise<{ token: string; id: number }> {
  const token = TOKEN_PREFIX + newSecret();
  const row = await db
    .insertInto('api_tokens')
    .values({ name, token_hash: digest(token), scope, created_by: createdBy, created_at: now, last_used_at: null, revoked_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { token, id: Number(row.id) };
}

export async function tokenPrincipal(db: Kysely<Database>, token: string, now = systemClock()): Promise<Principal | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', digest(token)).executeTakeFirst();
  if (!row || row.revoked_at !== null || !isRole(row.scope)) return null;
  // Coarse last-use stamp: at most one write a minute per token.
  if (row.last_used_at === null || now - Number(row.last_used_at) > 60_000)
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  return { kind: 'token', name: row.name, role: row.scope };
}

export async function listTokens(db: Kysely<Database>): Promise<ApiToken[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    scope: r.scope as Role,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  }));
}

export async function revokeToken(db: Kysely<Database>, id: number, now = systemClock()): Promise<boolean> {
  const r = await db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

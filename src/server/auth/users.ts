// Local users: names, scrypt password hashes, roles.
import { systemClock } from '../../clock.js';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.js';
import { isRole, type Role } from './roles.js';
import { VigilError, type ErrorLocation } from '../../errors.js';

export interface User {
  name: string;
  role: Role;
  createdAt: number;
  disabled: boolean;
}

export class UserError extends VigilError {
  constructor(message: string, location?: ErrorLocation) {
    super('user', message, location);
  }
}

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
export const MIN_PASSWORD = 10;

export function checkNewUser(name: string, password: string, role: string): asserts role is Role {
  if (!NAME.test(name)) throw new UserError(`user name "${name}": use 1-64 letters, digits, . _ @ or -`);
  if (password.length < MIN_PASSWORD) throw new UserError(`password: at least ${MIN_PASSWORD} characters`);
  if (!isRole(role)) throw new UserError(`role "${role}": expected viewer, analyst or admin`);
}

export async function addUser(db: Kysely<Database>, name: string, password: string, role: string, now = systemClock()): Promise<User> {
  checkNewUser(name, password, role);
  const exists = await db.selectFrom('users').select('name').where('name', '=', name).executeTakeFirst();
  if (exists) throw new UserError(`user "${name}" already exists`);
  await db.insertInto('users').values({ name, password_hash: await hashPassword(password), role, created_at: now, disabled_at: null }).execute();
  return { name, role, createdAt: now, disabled: false };
}

export async function setPassword(db: Kysely<Database>, name: string, password: string): Promise<void> {
  if (password.length < MIN_PASSWORD) throw new UserError(`password: at least ${MIN_PASSWORD} characters`);
  const r = await db.updateTable('users').set({ password_hash: await hashPassword(password) }).where('name', '=', name).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new UserError(`no user "${name}"`);
}

export async function listUsers(db: Kysely<Database>): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('name').execute();
  return rows.map((r) => ({ name: r.name, role: r.role as Role, createdAt: Number(r.created_at), disabled: r.disabled_at !== null }));
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A user's role and whether the account is disabled (the role as stored, checked by the caller). */
export async function userAccount(db: Kysely<Database>, name: string): Promise<{ role: string; disabled: boolean } | undefined> {
  const row = await db.selectFrom('users').select(['role', 'disabled_at']).where('name', '=', name).executeTakeFirst();
  return row ? { role: row.role, disabled: row.disabled_at !== null } : undefined;
}

/** The user if the password is right and the account enabled; null otherwise (same work either way). */
export async function checkLogin(db: Kysely<Database>, name: string, password: string): Promise<User | null> {
  const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
  const ok = await verifyPassword(password, row?.password_hash ?? (await DUMMY_HASH));
  if (!row || !ok || row.disabled_at !== null || !isRole(row.role)) return null;
  return { name: row.name, role: row.role, createdAt: Number(row.created_at), disabled: false };
}

/**
 * At first start with no user at all, makes `admin` with a random password and returns it so it can be
 * printed once. Afterwards, or when users exist, returns null.
 */
export async function ensureFirstAdmin(db: Kysely<Database>): Promise<{ name: string; password: string } | null> {
  if ((await countUsers(db)) > 0) return null;
  const password = randomBytes(15).toString('base64url');
  try {
    await addUser(db, 'admin', password, 'admin');
  } catch (err) {
    // Several cluster nodes starting on one empty store: one of them made the first admin.
    if ((await countUsers(db)) > 0) return null;
    throw err;
  }
  return { name: 'admin', password };
}

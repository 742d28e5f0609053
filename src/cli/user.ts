// vigil user add|list: local dashboard users, managed from the shell that runs Vigil (the first admin too).
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { addUser, listUsers, UserError } from '../server/auth/users.js';
import { openDatabase } from '../store/db.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export async function userAdd(config: Config, name: string, opts: { role: string; passwordStdin?: boolean }): Promise<number> {
  const generated = !opts.passwordStdin;
  const password = generated ? randomBytes(15).toString('base64url') : await readStdin();
  const store = await openDatabase(config.database.url);
  try {
    await addUser(store.db, name, password, opts.role);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`vigil: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await store.close();
  }
  process.stdout.write(`user ${name} added with role ${opts.role}\n`);
  if (generated) process.stdout.write(`password (shown once): ${password}\n`);
  return 0;
}

export async function userList(config: Config): Promise<number> {
  const store = await openDatabase(config.database.url);
  try {
    for (const u of await listUsers(store.db))
      process.stdout.write(`${u.name}\t${u.role}\t${new Date(u.createdAt).toISOString()}${u.disabled ? '\tdisabled' : ''}\n`);
  } finally {
    await store.close();
  }
  return 0;
}

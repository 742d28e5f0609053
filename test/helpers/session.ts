// Logging in to a running Vigil over HTTP, as the dashboard does: a session cookie plus its CSRF token.
import { addUser } from '../../src/server/auth/users.js';
import type { Running } from './vigil.js';

export interface Session {
  cookie: string;
  csrf: string;
}

export const PASSWORD = 'correct horse battery';

export async function login(v: Running, name: string, password = PASSWORD): Promise<Session> {
  const res = await fetch(`${v.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (res.status !== 200) throw new Error(`login ${name}: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const body = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: body.csrfToken };
}

/** Adds a user with the test password and logs them in. */
export async function userSession(v: Running, name: string, role: 'viewer' | 'analyst' | 'admin'): Promise<Session> {
  await addUser(v.vigil.store.db, name, PASSWORD, role);
  return login(v, name);
}

export interface Answer {
  status: number;
  json: any;
}

/** A request with either a session (cookie + CSRF header on writes) or a bearer token. */
export async function call(v: Running, method: string, path: string, auth?: Session | string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (typeof auth === 'string') headers.authorization = `Bearer ${auth}`;
  else if (auth) {
    headers.cookie = auth.cookie;
    if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = auth.csrf;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${v.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json };
}

// Starts a real Vigil (store, pipeline, outbox, HTTP server on a free port) for end-to-end tests.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { configSchema, type Config } from '../../src/config/schema.js';
import { createVigil, type Vigil, type VigilOptions } from '../../src/vigil.js';
import { quietLog } from './quiet.js';

export const PG_URL = process.env.VIGIL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * True when the local PostgreSQL answers (tried a few times: a loaded machine can be slow to accept).
 * Under CI (CI=true) an unreachable server is a failure, not a skip, so the PostgreSQL path is never
 * silently left untested there.
 */
export async function postgresAvailable(): Promise<boolean> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await client.end().catch(() => {});
    }
  }
  if (process.env.CI) throw new Error(`PostgreSQL at ${PG_URL} is not reachable under CI: ${(lastError as Error)?.message}`);
  return false;
}

export type Backend = 'sqlite' | 'postgres';

export interface Running {
  vigil: Vigil;
  url: string;
  dir: string;
  config: Config;
  stop(): Promise<void>;
}

let schemaCounter = 0;

export async function startVigil(overrides: Record<string, unknown> = {}, backend: Backend = 'sqlite', dir?: string, options: VigilOptions = {}, log: Logger = quietLog): Promise<Running> {
  const work = dir ?? mkdtempSync(join(tmpdir(), 'vigil-test-'));
  const base = {
    ingest: { token: 'test-token' },
    database: { url: backend === 'postgres' ? PG_URL : join(work, 'vigil.db') },
    ...overrides,
  };
  const config = configSchema.parse(base);
  // A schema of its own, dropped at stop; or, when the caller names one (several nodes on one store), that one,
  // left for the caller to drop.
  const own = backend === 'postgres' && !options.schema ? `vigil_t${process.pid}_${Date.now() % 100000}_${schemaCounter++}` : undefined;
  const schema = backend === 'postgres' ? (options.schema ?? own) : undefined;
  const vigil = await createVigil(config, log, { ...options, schema });
  await vigil.start();
  await vigil.server.listen({ host: '127.0.0.1', port: 0 });
  const addr = vigil.server.server.address() as { port: number };
  return {
    vigil,
    url: `http://127.0.0.1:${addr.port}`,
    dir: work,
    config,
    async stop() {
      await vigil.stop();
      if (own) {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${own} CASCADE`);
        await client.end();
      }
    },
  };
}

export async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: 'Bearer test-token', 'content-type': 'application/x-ndjson', ...headers },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** A TCP port free on 127.0.0.1 right now (for a child process that must be told its port before it starts). */
/**
 * A port nobody listens on, for a server a test starts later (or never: a peer that is down). It is taken below
 * the kernel's ephemeral range (32768–60999 here), where no `listen(0)` of a concurrent test and no outgoing
 * connection can land on it in the meantime. Taken from that range, it can be bound by another test's server,
 * which then accepts the connection meant for a peer that is down and keeps it waiting for a greeting.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const s = createServer();
    const ok = await new Promise<boolean>((r) => {
      s.once('error', () => r(false));
      s.listen(port, '127.0.0.1', () => r(true));
    });
    if (!ok) continue;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
}

/** Waits until `check` is true, polling. */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The Prometheus exposition of a running Vigil, read as a scraper does (with the metrics token). */
export async function scrape(v: Running): Promise<string> {
  const res = await fetch(`${v.url}/metrics`, { headers: { authorization: `Bearer ${v.vigil.metricsToken}` } });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}

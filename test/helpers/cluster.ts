// Real cluster nodes for tests: `vigil serve --cluster` processes of the built CLI on one PostgreSQL database of
// their own and one JetStream stream of their own (unique names, so tests do not collide), and a private
// nats-server when a test must stop NATS.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, type TestContext } from 'node:test';
import pg from 'pg';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { freePort, PG_URL, postgresAvailable, until } from './vigil.js';

const MAIN = join(PACKAGE_ROOT, 'dist/src/cli/main.js');
export const NATS_URL = process.env.VIGIL_TEST_NATS ?? 'nats://127.0.0.1:4222';
export const NATS_SERVER = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
export const TOKEN = 'cluster-test-token';

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port });
    s.setTimeout(2000);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

/** True when NATS answers; under CI an unreachable NATS is a failure, not a skip. */
export async function natsAvailable(url = NATS_URL): Promise<boolean> {
  const u = new URL(url);
  const up = await portOpen(u.hostname, Number(u.port || 4222));
  if (!up && process.env.CI) throw new Error(`NATS at ${url} is not reachable under CI`);
  return up;
}

/**
 * For a suite that needs PostgreSQL and NATS: asks once, before its tests, whether both answer. Each test starts
 * with `if (services.skipped(t)) return;` (under CI an unreachable service fails the suite instead).
 */
export function clusterServices(): { skipped(t: TestContext): boolean } {
  let available = false;
  before(async () => {
    available = (await postgresAvailable()) && (await natsAvailable());
  });
  return {
    skipped(t) {
      if (!available) t.skip('needs PostgreSQL and NATS');
      return !available;
    },
  };
}

let counter = 0;
/** A name no other test (or run) uses. */
export const unique = (prefix: string) => `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;

/** A PostgreSQL database of the test's own; `drop` removes it. */
export async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = unique('vigil_cluster').toLowerCase();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface NodeSpec {
  id: string;
  dbUrl: string;
  stream: string;
  smtpPort?: number;
  nats?: string;
  partitions?: number;
  leaseTtl?: string;
  /** Extra YAML lines appended to the config. */
  extra?: string[];
}

export interface RunningNode {
  id: string;
  /** Its config file. */
  config: string;
  port: number;
  url: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<void>;
  ready(): Promise<boolean>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function nodeConfig(spec: NodeSpec, port: number): string {
  return [
    'server:',
    `  listen: 127.0.0.1:${port}`,
    `  metrics: { token: ${TOKEN} }`,
    'ingest:',
    `  token: ${TOKEN}`,
    '  retryAfter: 1s',
    'database:',
    `  url: ${spec.dbUrl}`,
    'cluster:',
    `  nodeId: ${spec.id}`,
    `  servers: [${spec.nats ?? NATS_URL}]`,
    `  stream: ${spec.stream}`,
    `  partitions: ${spec.partitions ?? 8}`,
    `  leaseTtl: ${spec.leaseTtl ?? '3s'}`,
    '  publishTimeout: 2s',
    '  ackWait: 5s',
    ...(spec.smtpPort
      ? ['channels:', '  email:', '    enabled: true', '    host: 127.0.0.1', `    port: ${spec.smtpPort}`, '    to: [soc@example.org]']
      : []),
    'log:',
    '  level: info',
    '  format: json',
    ...(spec.extra ?? []),
    '',
  ].join('\n');
}

/** Starts `vigil serve --cluster`; resolves once it listens (not necessarily ready). */
export async function startNode(spec: NodeSpec, dir = mkdtempSync(join(tmpdir(), 'vigil-node-'))): Promise<RunningNode> {
  const port = await freePort();
  const config = join(dir, `${spec.id}.yaml`);
  writeFileSync(config, nodeConfig(spec, port));
  const child = spawn(process.execPath, [MAIN, 'serve', '--cluster', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const check = () => out.includes('Vigil is listening') && (child.stdout!.off('data', check), resolve());
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`node ${spec.id} exited (${code}) before listening:\n${out}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    id: spec.id,
    config,
    port,
    url,
    child,
    exited,
    output: () => out,
    async ready() {
      try {
        return (await fetch(`${url}/readyz`)).status === 200;
      } catch {
        return false;
      }
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export async function allReady(nodes: RunningNode[], ms = 30_000): Promise<void> {
  await until(async () => (await Promise.all(nodes.map((n) => n.ready()))).every(Boolean), ms, 'every node ready');
}

/** POSTs alerts to a node; the status (0 when the connection failed). */
export async function postAlerts(node: { url: string }, alerts: unknown[]): Promise<number> {
  try {
    const res = await fetch(`${node.url}/api/v1/ingest/wazuh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
      body: alerts.map((a) => JSON.stringify(a)).join('\n') + '\n',
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** A node's /metrics as a scraper reads them (the metrics token is the ingest token here). */
export async function nodeMetrics(node: { url: string }): Promise<string> {
  const res = await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}

/** One sample of a node's metrics (0 when the series is absent), e.g. metric(text, 'vigil_alerts_ingested_total{source="indexer"}'). */
export function metric(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Deletes a test's stream and its KV buckets from NATS. */
export async function deleteStream(stream: string, url = NATS_URL): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    for (const name of [stream, `KV_${stream}_leases`, `KV_${stream}_nodes`]) await jsm.streams.delete(name).catch(() => {});
  } finally {
    await nc.close();
  }
}

/** A private nats-server with JetStream on a free port and its own store directory (tests that stop NATS). */
export async function startPrivateNats(dir = mkdtempSync(join(tmpdir(), 'vigil-nats-'))): Promise<{ url: string; port: number; stop(): Promise<void>; start(): Promise<void> }> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
    await until(() => portOpen('127.0.0.1', port), 10_000, 'the private nats-server to listen');
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    start,
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGKILL');
      await gone;
    },
  };
}

/** Rows of a query on the test's database. */
export async function query<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

/** `vigil cluster status --json` with a node's config, as an operator runs it. */
export async function clusterStatus(config: string): Promise<{ code: number | null; status: any; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, 'cluster', 'status', '--json', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  let status: unknown;
  try {
    status = JSON.parse(out);
  } catch {
    status = undefined;
  }
  return { code, status, stderr: err };
}

// Bytes per stored alert: records `--alerts` alerts through the alerts repository (batches of 1,000, as group
// commit writes them) into a fresh store and divides what the store then takes on disk by the count. Two
// corpora: the SYNTHETIC benchmark mix (bench/detect/alerts.ts, ~1.2 KB per alert) and the real Windows
// eventchannel alerts of ../shared/data/wazuh (repeated, each copy with its own alert id, ~2.5 KB). SQLite:
// the file after close (WAL checkpointed); PostgreSQL (--database postgres://…): pg_total_relation_size of the
// alerts table with its indexes and TOAST. Asserts nothing.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { recordAlerts, type AlertRecord } from '../../src/store/alerts.js';
import { openDatabase } from '../../src/store/db.js';
import { alertLines } from '../detect/alerts.js';

const { values: args } = parseArgs({ options: { alerts: { type: 'string', default: '200000' }, database: { type: 'string' }, 'page-size': { type: 'string' } } });
const N = Number(args.alerts);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function synthetic(): string[] {
  return alertLines(N);
}

function real(): string[] {
  const shared = process.env.VIGIL_SHARED ?? resolve(PACKAGE_ROOT, '../shared');
  const samples = readFileSync(join(shared, 'data/wazuh/win-eventchannel-payloads.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return Array.from({ length: N }, (_, i) => JSON.stringify({ ...samples[i % samples.length]!, id: `1700000000.${10_000_000 + i}` }));
}

async function measure(name: string, lines: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-store-'));
  const schema = args.database ? `bench_store_${process.pid}` : undefined;
  // --page-size: the file made beforehand with another page size (4096 is what files made before 16 KB pages have).
  if (!args.database && args['page-size']) {
    const f = new SQLite(join(dir, 'vigil.db'));
    f.pragma(`page_size = ${Number(args['page-size'])}`);
    f.exec('create table bench_page_size (x)');
    f.close();
  }
  const store = await openDatabase(args.database ?? join(dir, 'vigil.db'), { schema });
  const bodyBytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i += 1000) {
    const batch: AlertRecord[] = lines.slice(i, i + 1000).map((body, j) => ({ key: `bench/${i + j}`, eventId: `e${i + j}`, format: 'wazuh', source: 'bench', body }));
    await recordAlerts(store.db, batch);
  }
  const seconds = (performance.now() - t0) / 1000;
  let bytes: number;
  if (store.dialect === 'postgres') {
    await sql`vacuum analyze alerts`.execute(store.db);
    bytes = Number((await sql<{ b: string }>`select pg_total_relation_size('alerts') as b`.execute(store.db)).rows[0]!.b);
    await sql.raw(`drop schema ${schema} cascade`).execute(store.db);
    await store.close();
  } else {
    await store.close();
    bytes = statSync(join(dir, 'vigil.db')).size;
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `${name.padEnd(44)} ${fmt(N)} alerts, body ${fmt(bodyBytes / N)} B: ${fmt(bytes / N)} bytes per alert on disk (${((bytes / bodyBytes) * 100).toFixed(0)}% of the bodies); recorded at ${fmt(N / seconds)}/s`,
  );
}

console.log(`store: ${args.database ? 'PostgreSQL' : `SQLite (${args['page-size'] ? Number(args['page-size']) / 1024 : 16} KB pages, WAL, synchronous FULL)`}`);
await measure('SYNTHETIC benchmark mix', synthetic());
await measure('real Windows eventchannel alerts (repeated)', real());

// The webhook under hostile or unusual bodies: what the README promises (400 naming the line for invalid UTF-8
// and for an alert over ingest.maxAlertBytes), gzip as log shippers send it, pretty-printed objects, a
// `__proto__` key however it is spelled, and a full disk (503 with Retry-After, said once in the log) on
// SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { burst, failedLogon4625, ndjson } from '../helpers/fixtures.js';
import { postgresAvailable, startVigil, until, type Running } from '../helpers/vigil.js';

const T0 = new Date('2026-11-21T10:00:00Z');
let n = 0;
const alert = (extra: Record<string, unknown> = {}) => ({ ...failedLogon4625({ ip: '192.0.2.9', time: T0, id: `1763719200.${++n}` }), ...extra });

async function send(url: string, body: Buffer | string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/v1/ingest/wazuh`, { method: 'POST', headers: { authorization: 'Bearer test-token', 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: JSON.parse(text) as { accepted?: number; error?: string; message?: string } };
}

describe('webhook bodies', () => {
  let v: Running;
  const logged: string[] = [];
  const count = async () => Number((await v.vigil.store.db.selectFrom('alerts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n);

  before(async () => {
    v = await startVigil({ ingest: { token: 'test-token', maxAlertBytes: 4096 }, server: { bodyLimit: 256 * 1024 } }, 'sqlite', undefined, {}, pino({ level: 'error' }, { write: (line: string) => void logged.push(line) }));
  });
  after(async () => v?.stop());

  it('refuses invalid UTF-8 with 400 naming the line, and records nothing of the request', async () => {
    const before = await count();
    const good = Buffer.from(JSON.stringify(alert()) + '\n');
    const bad = Buffer.concat([Buffer.from(JSON.stringify(alert()).slice(0, -2)), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    const res = await send(v.url, Buffer.concat([good, bad]), { 'content-type': 'application/x-ndjson' });
    assert.equal(res.status, 400);
    assert.equal(res.json.message, 'line 2: not valid UTF-8');
    assert.equal(await count(), before);
  });

  it('refuses an alert over ingest.maxAlertBytes with 400 naming the line or array element', async () => {
    const before = await count();
    const big = alert({ full_log: 'x'.repeat(5000) });
    const lines = await send(v.url, ndjson([alert(), big]), { 'content-type': 'application/x-ndjson' });
    assert.equal(lines.status, 400);
    assert.match(lines.json.message!, /^line 2: \d+ bytes, more than ingest\.maxAlertBytes \(4096\)$/);
    const array = await send(v.url, JSON.stringify([alert(), big]));
    assert.equal(array.status, 400);
    assert.match(array.json.message!, /^element 2 of the array: \d+ bytes, more than ingest\.maxAlertBytes/);
    assert.equal(await count(), before);
  });

  it('accepts a pretty-printed alert, recorded on one line', async () => {
    const a = alert();
    const res = await send(v.url, JSON.stringify(a, null, 2));
    assert.equal(res.status, 202);
    assert.equal(res.json.accepted, 1);
    const row = await v.vigil.store.db.selectFrom('alerts').select('body').where('event_id', '=', a.id as string).executeTakeFirstOrThrow();
    assert.ok(!String(row.body).includes('\n'));
    assert.deepEqual(JSON.parse(String(row.body)), a);
  });

  it('names the line of an error inside a pretty-printed alert', async () => {
    const text = JSON.stringify(alert(), null, 2).replace('"level": 5', '"level": 5,,');
    const res = await send(v.url, text);
    assert.equal(res.status, 400);
    assert.match(res.json.message!, /^line \d+: invalid JSON/);
    assert.ok(!res.json.message!.startsWith('line 1:'), res.json.message);
  });

  it('accepts Content-Encoding: gzip (NDJSON, an array, and gzip sent without the header)', async () => {
    const batch = [alert(), alert(), alert()];
    const nd = await send(v.url, gzipSync(ndjson(batch)), { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' });
    assert.equal(nd.status, 202);
    assert.equal(nd.json.accepted, 3);
    const arr = await send(v.url, gzipSync(JSON.stringify([alert(), alert()])), { 'content-encoding': 'gzip' });
    assert.deepEqual([arr.status, arr.json.accepted], [202, 2]);
    const bare = await send(v.url, gzipSync(JSON.stringify(alert())));
    assert.deepEqual([bare.status, bare.json.accepted], [202, 1]);
  });

  it('refuses bad gzip, a gzip bomb and unknown encodings with clear messages and no binary', async () => {
    const broken = await send(v.url, Buffer.concat([gzipSync(ndjson([alert()])).subarray(0, 20), Buffer.from([0, 1, 2, 3])]), { 'content-encoding': 'gzip' });
    assert.equal(broken.status, 400);
    assert.match(broken.json.message!, /^the body is not valid gzip/);
    const bomb = await send(v.url, gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20)), { 'content-encoding': 'gzip' });
    assert.equal(bomb.status, 413);
    assert.match(bomb.json.message!, /decompressed body is larger than the limit of 262144 bytes/);
    const br = await send(v.url, 'x', { 'content-encoding': 'br' });
    assert.equal(br.status, 415);
    const binary = await send(v.url, Buffer.from([0x00, 0x01, 0x7b, 0xfe, 0x80, 0x1b, 0x5b]));
    assert.equal(binary.status, 400);
    for (const m of [broken.json.message!, binary.json.message!]) assert.ok(!/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(m), `binary in ${JSON.stringify(m)}`);
  });

  it('refuses a __proto__ key however it is spelled', async () => {
    for (const key of ['__proto__', '\\u005f_proto__', '\\u005f\\u005fproto\\u005f\\u005f', '__pr\\u006fto__']) {
      const text = JSON.stringify(alert()).replace('"rule":', `"data2":{"${key}":{"polluted":true}},"rule":`);
      const res = await send(v.url, text);
      assert.equal(res.status, 400, key);
      assert.equal(res.json.message, 'line 1: the key "__proto__" is not accepted');
    }
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });

  it('answers 503 with Retry-After when the disk is full, and says "database or disk is full" once', async () => {
    // Every store write lands in a database that may not grow: SQLite answers SQLITE_FULL, as on a full disk.
    const pages = Number((await sql<{ page_count: number }>`pragma page_count`.execute(v.vigil.store.db)).rows[0]!.page_count);
    assert.ok(pages > 0);
    await sql.raw(`pragma max_page_count = ${pages}`).execute(v.vigil.store.db);
    try {
      const big = Array.from({ length: 40 }, () => alert({ full_log: 'y'.repeat(2000) }));
      const answers = await Promise.all([1, 2, 3].map(() => send(v.url, ndjson(big), { 'content-type': 'application/x-ndjson' })));
      for (const a of answers) {
        assert.equal(a.status, 503);
        assert.equal(a.json.error, 'store_full');
        assert.match(a.json.message!, /database or disk is full/);
        assert.equal(a.headers.get('retry-after'), '30');
      }
      assert.equal(logged.filter((l) => /database or disk is full.*answered 503/.test(l)).length, 1, logged.join('\n'));
      assert.equal(logged.filter((l) => /request failed/.test(l)).length, 0, 'no stack trace per request');
    } finally {
      await sql.raw('pragma max_page_count = 1073741823').execute(v.vigil.store.db);
    }
    assert.equal((await send(v.url, ndjson([alert()]))).status, 202, 'once there is room again, alerts are recorded');
  });
});

describe('a full disk on PostgreSQL', async () => {
  if (!(await postgresAvailable())) return void it('PostgreSQL is not reachable', { skip: true }, () => {});
  let v: Running;
  const logged: string[] = [];
  const count = async () => Number((await v.vigil.store.db.selectFrom('alerts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n);

  before(async () => {
    v = await startVigil({ ingest: { token: 'test-token' } }, 'postgres', undefined, {}, pino({ level: 'error' }, { write: (line: string) => void logged.push(line) }));
  });
  after(async () => v?.stop());

  it('answers 503 with Retry-After on SQLSTATE 53100, says "database or disk is full" once, and records the batch once there is room', async () => {
    // The real server refuses every alert row the way it does when it cannot extend a file on a full disk:
    // SQLSTATE 53100 (disk_full), raised inside the ingest's own insert into this test's schema.
    await sql`create function disk_full() returns trigger language plpgsql as $$ begin raise exception 'could not extend file: No space left on device' using errcode = 'disk_full'; end $$`.execute(v.vigil.store.db);
    await sql`create trigger disk_full before insert on alerts for each row execute function disk_full()`.execute(v.vigil.store.db);
    const batch = burst('198.51.100.77', 5, T0, 1000, 'mallory');
    const body = ndjson(batch);
    try {
      const answers = await Promise.all([1, 2, 3].map(() => send(v.url, body, { 'content-type': 'application/x-ndjson' })));
      for (const a of answers) {
        assert.equal(a.status, 503);
        assert.equal(a.json.error, 'store_full');
        assert.equal(a.json.accepted, undefined, 'nothing acknowledged');
        assert.equal(a.json.message, 'the database or disk is full: nothing of this request was recorded; send it again after Retry-After seconds');
        assert.equal(a.headers.get('retry-after'), '30');
      }
      assert.equal(await count(), 0, 'nothing recorded');
      const full = logged.filter((l) => /database or disk is full.*answered 503/.test(l));
      assert.equal(full.length, 1, logged.join('\n'));
      assert.match(full[0]!, /could not extend file: No space left on device/, 'the log names the real cause');
      assert.equal(logged.filter((l) => /request failed|database is unavailable/.test(l)).length, 0, logged.join('\n'));
    } finally {
      await sql`drop trigger if exists disk_full on alerts`.execute(v.vigil.store.db);
    }
    // Space again: the sender's retry of the same batch is recorded, once, and detected.
    const retry = await send(v.url, body, { 'content-type': 'application/x-ndjson' });
    assert.deepEqual([retry.status, retry.json.accepted], [202, 5]);
    assert.equal(await count(), 5);
    await until(async () => (await v.vigil.store.db.selectFrom('incidents').select('title').execute()).some((i) => i.title.includes('198.51.100.77')), 10_000, 'the brute force to be an incident');
  });
});

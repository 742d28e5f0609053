// A seeded, bounded fuzz run over the three ways alerts arrive — the webhook, the alerts file and syslog (TCP)
// — on SQLite and PostgreSQL. Valid alerts carry hostile values (NUL, CR/LF, line separators, bidi overrides,
// lone surrogates, markup, long strings); invalid records are broken JSON, invalid UTF-8, too large, too deep,
// `__proto__` keys however spelled, and JSON that is not an object. It asserts: no 5xx answer but 503
// backpressure, every valid alert recorded exactly once (re-sent ones too), every invalid file or syslog record
// quarantined, and the pipeline's cursor reaching the last alert. VIGIL_FUZZ_SEED picks another run.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { SyslogSource } from '../../src/sources/syslog.js';
import { failedLogon4625 } from '../helpers/fixtures.js';
import { postgresAvailable, startVigil, until, type Backend, type Running } from '../helpers/vigil.js';

const SEED = Number(process.env.VIGIL_FUZZ_SEED ?? 1313);
const MAX_ALERT_BYTES = 8192;
const T0 = new Date('2026-11-21T12:00:00Z');

/** mulberry32: a small seeded generator, so a failing run can be repeated exactly. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

const HOSTILE = [
  'evil\u0000user',
  '203.0.113.7\r\nBcc: attacker@evil.example',
  'dc01\u2028Status: resolved',
  'admin\u202etxt.exe',
  'lone \ud800 surrogate',
  '<img src=x onerror=alert(1)>',
  '${jndi:ldap://127.0.0.1/x}',
  'C:\\Windows\\System32\\cmd.exe /c "whoami"',
  '%n%s%x',
  'ünïcödé 😀 用户',
  'x'.repeat(2000),
  '\u001b[31mred\u001b[0m',
  '',
] as const;

type Gen = ReturnType<typeof prng>;

function validAlert(g: Gen, id: string): Record<string, any> {
  const a: Record<string, any> = failedLogon4625({ ip: `198.51.100.${g.int(250) + 1}`, user: g.pick(HOSTILE) || 'administrator', time: new Date(T0.getTime() + g.int(600_000)), id });
  const ed = a.data.win.eventdata as Record<string, unknown>;
  ed.workstationName = g.pick(HOSTILE);
  if (g.next() < 0.3) ed[`k${g.pick(['\u0000', '\n', '.', ' '])}${g.int(9)}`] = g.pick(HOSTILE);
  if (g.next() < 0.2) a.full_log = g.pick(HOSTILE);
  return a;
}

/** An invalid record: bytes no source may record as an alert. */
function invalidRecord(g: Gen): Buffer {
  const base = JSON.stringify(validAlert(g, 'never-recorded'));
  switch (g.int(7)) {
    case 0:
      return Buffer.from(base.slice(0, 10 + g.int(base.length - 20)));
    case 1: {
      const at = base.indexOf('"targetUserName":"') + 18;
      return Buffer.concat([Buffer.from(base.slice(0, at)), Buffer.from([g.pick([0xff, 0xc3, 0xe2, 0x80])]), Buffer.from(base.slice(at))]);
    }
    case 2:
      return Buffer.from(JSON.stringify({ ...JSON.parse(base), full_log: 'y'.repeat(MAX_ALERT_BYTES) }));
    case 3:
      return Buffer.from('['.repeat(80) + ']'.repeat(80));
    case 4:
      return Buffer.from(base.replace('"rule":', `"extra":{"${g.pick(['\\u005f_proto__', '__proto__', '__pr\\u006fto__'])}":{"polluted":true}},"rule":`));
    case 5:
      return Buffer.from(g.pick(['42', '"a string"', 'null', 'true', '[1,2]']));
    default:
      return Buffer.from(`{"id": "x", ${g.pick(['', '"a":', '"b": [', "'c': 1"])}}`);
  }
}

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`fuzzing the intake on ${backend} (seed ${SEED})`, async () => {
    const available = backend === 'sqlite' || (await postgresAvailable());
    let v: Running;
    let file: string;
    const g = prng(SEED + (backend === 'postgres' ? 1 : 0));
    let n = 0;
    const nextId = () => `fuzz.${backend}.${++n}`;

    before(async () => {
      if (!available) return;
      const dir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-'));
      file = join(dir, 'alerts.json');
      writeFileSync(file, '');
      v = await startVigil(
        {
          ingest: { token: 'test-token', maxAlertBytes: MAX_ALERT_BYTES },
          sources: { alertsFile: { enabled: true, path: file, startAt: 'beginning', pollInterval: '20ms' }, syslog: { enabled: true, udp: '', tcp: '127.0.0.1:0' } },
        },
        backend,
        dir,
      );
    });
    after(() => v?.stop());

    it('no 5xx but backpressure, every valid alert recorded once, every invalid one quarantined, the cursor at the end', { skip: !available && 'PostgreSQL is not reachable', timeout: 120_000 }, async () => {
      const expected = new Set<string>();
      const statuses = new Map<number, number>();
      const send = async (body: Buffer, headers: Record<string, string>) => {
        for (;;) {
          const res = await fetch(`${v.url}/api/v1/ingest/wazuh`, { method: 'POST', headers: { authorization: 'Bearer test-token', ...headers }, body: new Uint8Array(body) });
          const json = (await res.json()) as { accepted?: number; duplicates?: number; message?: string };
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.ok(res.status < 500 || res.status === 503, `the webhook answered ${res.status}: ${json.message}`);
          if (res.status !== 503) return { status: res.status, json };
          await new Promise((r) => setTimeout(r, 200));
        }
      };

      // The webhook: batches in every shape it takes, some with one bad record (refused whole), some re-sent.
      const sentBatches: Buffer[] = [];
      for (let b = 0; b < 16; b++) {
        const valid = Array.from({ length: 1 + g.int(5) }, () => validAlert(g, nextId()));
        const bad = g.next() < 0.35 ? invalidRecord(g) : undefined;
        const shape = valid.length === 1 && !bad ? g.pick(['ndjson', 'array', 'pretty'] as const) : g.pick(['ndjson', 'array'] as const);
        let body: Buffer;
        if (shape === 'pretty') body = Buffer.from(JSON.stringify(valid[0], null, 2));
        else if (shape === 'array' && !bad) body = Buffer.from(JSON.stringify(valid));
        else body = Buffer.concat([...valid.map((a) => Buffer.from(JSON.stringify(a) + '\n')), ...(bad ? [bad, Buffer.from('\n')] : [])]);
        const gzip = g.next() < 0.3;
        const headers: Record<string, string> = { 'content-type': shape === 'ndjson' ? 'application/x-ndjson' : 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) };
        const res = await send(gzip ? gzipSync(body) : body, headers);
        if (bad) assert.ok(res.status === 400 || res.status === 413, `a batch with a bad record is refused, got ${res.status}`);
        else {
          assert.equal(res.status, 202, res.json.message);
          assert.equal((res.json.accepted ?? 0) + (res.json.duplicates ?? 0), valid.length);
          for (const a of valid) expected.add(a.id);
          sentBatches.push(body);
        }
      }
      for (const body of sentBatches.slice(0, 3)) {
        const again = await send(body, { 'content-type': body.toString().trimStart().startsWith('[') ? 'application/json' : 'application/x-ndjson' });
        assert.equal(again.status, 202);
        assert.equal(again.json.accepted, 0, 'a re-sent batch records nothing new');
      }

      // The alerts file: good and bad lines appended in bursts, some valid alerts written twice.
      let fileBad = 0;
      for (let burst = 0; burst < 6; burst++) {
        const lines: Buffer[] = [];
        for (let i = 0; i < 6; i++) {
          if (g.next() < 0.3) {
            lines.push(invalidRecord(g));
            fileBad++;
          } else {
            const a = validAlert(g, nextId());
            expected.add(a.id);
            lines.push(Buffer.from(JSON.stringify(a)));
            if (g.next() < 0.15) lines.push(Buffer.from(JSON.stringify(a)));
          }
        }
        appendFileSync(file, Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
        await new Promise((r) => setTimeout(r, 30));
      }

      // Syslog over TCP, newline framing, as csyslogd's json output looks.
      const syslog = v.vigil.sources.find((s) => s instanceof SyslogSource) as SyslogSource;
      const sock = connect(syslog.tcpAddress!.port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      let syslogBad = 0;
      for (let i = 0; i < 36; i++) {
        const head = Buffer.from(`<132>Nov 21 12:00:${String(i % 60).padStart(2, '0')} wazuh-manager ossec: `);
        if (g.next() < 0.3) {
          sock.write(Buffer.concat([head, invalidRecord(g), Buffer.from('\n')]));
          syslogBad++;
        } else {
          const a = validAlert(g, nextId());
          expected.add(a.id);
          sock.write(Buffer.concat([head, Buffer.from(JSON.stringify(a)), Buffer.from('\n')]));
        }
      }
      await new Promise<void>((r) => sock.end(() => r()));

      const db = v.vigil.store.db;
      const recorded = async () => (await db.selectFrom('alerts').select('event_id').execute()).map((r) => r.event_id);
      const quarantined = async (source: string) => Number((await db.selectFrom('ingest_quarantine').select((eb) => eb.fn.countAll().as('n')).where('source', '=', source).executeTakeFirst())?.n);
      await until(async () => (await recorded()).length >= expected.size, 30_000, `${expected.size} alerts recorded`);
      await until(async () => (await quarantined('alerts-file')) >= fileBad && (await quarantined('syslog')) >= syslogBad, 15_000, 'bad records quarantined');
      const ids = await recorded();
      assert.equal(ids.length, expected.size, 'nothing recorded twice, nothing extra');
      assert.deepEqual(new Set(ids), expected, 'every valid alert recorded');
      assert.equal(await quarantined('alerts-file'), fileBad);
      assert.equal(await quarantined('syslog'), syslogBad);
      const last = Number((await db.selectFrom('alerts').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m);
      await until(() => v.vigil.runner.position >= last, 30_000, 'the pipeline cursor to reach the last alert');
      assert.equal(await quarantined('pipeline'), 0, 'the pipeline set nothing aside');
      assert.equal(({} as { polluted?: boolean }).polluted, undefined);
      assert.ok((statuses.get(202) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0, `answers: ${[...statuses]}`);
    });
  });
}

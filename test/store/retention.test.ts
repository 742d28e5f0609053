// Retention against the real pipeline: a brute force (evidence) among alerts no rule matches (raw), processed by
// a running Vigil; then the retention job runs with its clock moved past each retention. What expires goes; the
// evidence of an incident that is kept stays, and is what the incident's evidence view still shows.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { configSchema } from '../../src/config/schema.js';
import { evidenceFor } from '../../src/server/queries/evidence.js';
import { markEvidence, recordAlerts } from '../../src/store/alerts.js';
import { audit } from '../../src/store/audit.js';
import { setCursor } from '../../src/store/cursors.js';
import { openDatabase } from '../../src/store/db.js';
import { RetentionJob } from '../../src/retention/job.js';
import { resolve } from '../../src/triage/analyst.js';
import { burst, ndjson, ROOT } from '../helpers/fixtures.js';
import { quietLog } from '../helpers/quiet.js';
import { postgresAvailable, post, startVigil, until, type Backend, type Running } from '../helpers/vigil.js';

const DAY = 86_400_000;

/** A Wazuh alert no built-in rule matches (a PAM session opening). */
export function noise(n: number, time = new Date()): Record<string, unknown> {
  return {
    timestamp: time.toISOString().replace('Z', '+0000'),
    rule: { level: 3, id: '5501', description: 'PAM: Login session opened.', groups: ['pam', 'syslog', 'authentication_success'] },
    agent: { id: '001', name: 'web01' },
    manager: { name: 'wazuh-manager' },
    id: `${Math.floor(time.getTime() / 1000)}.${900000 + n}`,
    full_log: `web01 sudo: pam_unix(sudo:session): session opened for user root by deploy(uid=${1000 + n})`,
    decoder: { name: 'pam' },
    location: '/var/log/auth.log',
  };
}

async function counts(v: Running) {
  const db = v.vigil.store.db;
  const n = async (t: 'alerts' | 'detections' | 'incidents' | 'incident_indicators' | 'outbox' | 'audit_log') =>
    Number((await db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { alerts: await n('alerts'), detections: await n('detections'), incidents: await n('incidents'), indicators: await n('incident_indicators'), outbox: await n('outbox'), audit: await n('audit_log') };
}

function job(v: Running, at: number): RetentionJob {
  const retention = configSchema.parse({}).retention;
  return new RetentionJob(v.vigil.store, { ...retention, batch: 7, warmWindow: 10 * 60_000 }, quietLog, () => at);
}

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`retention (${backend})`, async () => {
    const skip = backend === 'postgres' && !(await postgresAvailable()) ? 'PostgreSQL not reachable' : false;

    it('raw alerts expire after retention.alerts; the evidence of a kept incident stays with it until the incident expires', { skip }, async () => {
      const v = await startVigil({ actions: { outbox: { poll: '1h' } } }, backend);
      try {
        const start = new Date(Date.now() - 60_000);
        const attack = burst('203.0.113.77', 6, start, 2000);
        const raw = Array.from({ length: 40 }, (_, i) => noise(i, new Date(start.getTime() + i * 100)));
        assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson([...raw.slice(0, 20), ...attack, ...raw.slice(20)]), { authorization: 'Bearer test-token' })).status, 202);
        await until(async () => (await counts(v)).incidents === 1 && v.vigil.runner.position > 0 && v.vigil.runner.lag === 0, 10_000, 'the brute force to open an incident');
        await until(async () => Number((await v.vigil.store.db.selectFrom('cursors').select('value').where('name', '=', 'pipeline').executeTakeFirst())?.value ?? 0) > 0, 10_000, 'the pipeline cursor');
        const incident = await v.vigil.store.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
        const evidenceIds = (await v.vigil.store.db.selectFrom('detections').select('event_ids_json').where('incident_id', '=', incident.id).execute()).flatMap((d) => JSON.parse(d.event_ids_json) as string[]);
        await audit(v.vigil.store.db, { actor: 'system', action: 'test.old', target: 'x', result: 'ok' }, Date.now() - 400 * DAY);
        const before = await counts(v);
        assert.equal(before.alerts, 46);
        const shown = (await evidenceFor(v.vigil.store.db, evidenceIds)).length;
        assert.ok(shown >= 5, `the incident shows its evidence (${shown} events)`);

        // A day later only the 400-day-old audit row is past its retention (365d): nothing else goes.
        await job(v, Date.now() + DAY).drain();
        assert.deepEqual(await counts(v), { ...before, audit: before.audit - 1 });

        // Eight days later the raw alerts are past retention.alerts (7d); the open incident keeps its evidence.
        await job(v, Date.now() + 8 * DAY).drain();
        const after = await counts(v);
        assert.equal(after.incidents, 1);
        assert.equal(after.detections, before.detections);
        const kept = await v.vigil.store.db.selectFrom('alerts').select('event_id').execute();
        assert.ok(kept.length > 0 && kept.length < 46, `only evidence is kept (${kept.length} alerts)`);
        for (const k of kept) assert.ok(evidenceIds.includes(k.event_id), `alert ${k.event_id} kept is evidence`);
        for (const id of new Set(evidenceIds)) assert.ok(kept.some((k) => k.event_id === id), `evidence ${id} is kept`);
        assert.equal((await evidenceFor(v.vigil.store.db, evidenceIds)).length, shown, 'the incident still shows all its evidence');

        // Resolved, the incident is kept for retention.incidents (180d) after resolution with its evidence ...
        await resolve(v.vigil.triage, incident.id, { actor: 'user:ana' });
        await job(v, Date.now() + 100 * DAY).drain();
        assert.equal((await counts(v)).incidents, 1);
        assert.equal((await evidenceFor(v.vigil.store.db, evidenceIds)).length, shown);
        // ... and then goes, with its detections, indicators and evidence (its finished outbox rows go as well).
        await v.vigil.store.db.updateTable('outbox').set({ state: 'delivered' }).execute();
        await job(v, Date.now() + 181 * DAY).drain();
        const gone = await counts(v);
        assert.deepEqual({ ...gone, audit: 0 }, { alerts: 0, detections: 0, incidents: 0, indicators: 0, outbox: 0, audit: 0 });
      } finally {
        await v.stop();
      }
    });

    it('never purges an alert the pipeline has not processed yet', { skip }, async () => {
      const v = await startVigil({}, backend);
      try {
        assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(Array.from({ length: 5 }, (_, i) => noise(i))), { authorization: 'Bearer test-token' })).status, 202);
        await until(async () => Number((await v.vigil.store.db.selectFrom('cursors').select('value').where('name', '=', 'pipeline').executeTakeFirst())?.value ?? 0) > 0, 10_000, 'the pipeline cursor');
        // The pipeline's recorded position moves back (as if it had stopped two alerts short): those two stay.
        const seqs = (await v.vigil.store.db.selectFrom('alerts').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
        await v.vigil.runner.stop();
        await v.vigil.store.db.updateTable('cursors').set({ value: String(seqs[2]) }).where('name', '=', 'pipeline').execute();
        await job(v, Date.now() + 30 * DAY).drain();
        assert.deepEqual((await v.vigil.store.db.selectFrom('alerts').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq)), seqs.slice(3));
      } finally {
        await v.stop();
      }
    });
  });
}

describe('retention killed in the middle of a purge', () => {
  it('a SIGKILL between or inside batches loses nothing kept, and the next run finishes the purge', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-purge-'));
    const file = join(dir, 'vigil.db');
    const store = await openDatabase(file);
    const old = Date.now() - 10 * DAY;
    const alerts = Array.from({ length: 3000 }, (_, i) => ({ key: `m/${i}`, eventId: `e${i}`, format: 'wazuh', source: 'test', body: JSON.stringify(noise(i)) }));
    const { seqs } = await recordAlerts(store.db, alerts, old);
    // Every tenth alert is evidence; the last 300 are not processed yet.
    const evidence = alerts.filter((_, i) => i % 10 === 0).map((a) => a.eventId);
    await store.db.transaction().execute((trx) => markEvidence(trx, evidence));
    await setCursor(store.db, 'pipeline', String(seqs[2699]));
    const pages = async (db: typeof store.db) => Number((await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]!.page_count);
    const fullPages = await pages(store.db);
    await store.close();

    const child = spawn(process.execPath, [join(ROOT, 'dist/test/helpers/purge-child.js'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let passes = 0;
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', (b: Buffer) => {
        passes += b.toString().split('\n').filter((l) => l === 'pass').length;
        if (passes >= 1) {
          child.kill('SIGKILL');
          res();
        }
        if (b.toString().includes('done')) rej(new Error('the purge finished before it could be killed'));
      });
    });
    await new Promise((r) => child.once('exit', r));

    const reopened = await openDatabase(file);
    try {
      const left = async () => new Set((await reopened.db.selectFrom('alerts').select('event_id').execute()).map((r) => r.event_id));
      const mid = await left();
      assert.ok(mid.size < 3000 && mid.size > 570, `killed in the middle (${mid.size} alerts left)`);
      for (const id of evidence) assert.ok(mid.has(id), `evidence ${id} kept`);
      for (const a of alerts.slice(2700)) assert.ok(mid.has(a.eventId), `unprocessed ${a.eventId} kept`);
      // What is gone is exactly the purgeable alerts up to the stored cursor: no holes after it.
      const cursor = Number((await reopened.db.selectFrom('cursors').select('value').where('name', '=', 'retention.alerts').executeTakeFirst())?.value ?? 0);
      alerts.slice(0, 2700).forEach((a, i) => {
        if (seqs[i]! > cursor) assert.ok(mid.has(a.eventId), `${a.eventId} after the purge cursor kept`);
      });
      // Started again, the purge finishes: left are the evidence and the unprocessed alerts, nothing else.
      await new RetentionJob(reopened, { ...configSchema.parse({}).retention, batch: 100, warmWindow: 0 }, quietLog, () => Date.now() + 30 * DAY).drain();
      const end = await left();
      assert.deepEqual([...end].sort(), [...new Set([...evidence, ...alerts.slice(2700).map((a) => a.eventId)])].sort());
      // The space is given back (incremental vacuum): the file lost most of the ~70 pages the deleted alerts
      // took, and what stays free inside it is under an eighth of it (left for new rows to reuse).
      const left_ = await pages(reopened.db);
      const free = Number((await sql<{ freelist_count: number }>`pragma freelist_count`.execute(reopened.db)).rows[0]!.freelist_count);
      assert.ok(free * 8 <= left_, `${free} of ${left_} pages free`);
      assert.ok(left_ < fullPages - 50, `the file shrank from ${fullPages} to ${left_} pages`);
    } finally {
      await reopened.close();
    }
  });
});

describe('disk gauge', () => {
  it('reads the store size after a pass and warns once past diskWarning of diskCeiling, then clears', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-disk-'));
    const store = await openDatabase(join(dir, 'vigil.db'));
    try {
      const warnings: string[] = [];
      const log = { ...quietLog, warn: (_: unknown, msg: string) => void warnings.push(msg), info: () => {} } as unknown as typeof quietLog;
      const seen: [number, boolean][] = [];
      const size = async () => statSync(join(dir, 'vigil.db')).size + (existsSync(join(dir, 'vigil.db-wal')) ? statSync(join(dir, 'vigil.db-wal')).size : 0);
      const base = configSchema.parse({}).retention;
      const ceiling = Math.ceil((await size()) / 0.8) + 1;
      const retention = { ...base, diskCeiling: ceiling, warmWindow: 0 };
      const job = new RetentionJob(store, retention, log, Date.now, { deleted: () => {}, disk: (b, w) => void seen.push([b, w]) });
      await job.pass();
      assert.deepEqual(seen.at(-1), [await size(), false], 'under 80% of the ceiling: the gauge, no warning');
      assert.equal(warnings.length, 0);
      await recordAlerts(store.db, Array.from({ length: 200 }, (_, i) => ({ key: `m/${i}`, eventId: `e${i}`, format: 'wazuh', source: 'test', body: JSON.stringify(noise(i)) })));
      await job.pass();
      await job.pass();
      assert.equal(seen.at(-1)![1], true, 'past 80%: the warning is on');
      assert.ok(seen.at(-1)![0] >= ceiling * 0.8);
      assert.equal(warnings.length, 1, 'warned once, not at every pass');
      assert.match(warnings[0]!, /the store uses \d+ MB of its \d+ MB ceiling \(retention\.diskCeiling\)/);
    } finally {
      await store.close();
    }
  });
});

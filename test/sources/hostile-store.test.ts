// Hostile values that the store cannot hold as they are (NUL in a value or an alert id) must neither stop
// detection for good nor fail other senders' requests, on SQLite and PostgreSQL alike.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { burst, ndjson } from '../helpers/fixtures.js';
import { post, postgresAvailable, startVigil, until, type Backend, type Running } from '../helpers/vigil.js';

const T0 = new Date('2026-11-21T10:00:00Z');

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`hostile values in the store on ${backend}`, async () => {
    const available = backend === 'sqlite' || (await postgresAvailable());
    let v: Running;
    const ingest = () => `${v.url}/api/v1/ingest/wazuh`;
    const lastSeq = async () => Number((await v.vigil.store.db.selectFrom('alerts').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
    const caughtUp = async () => v.vigil.runner.position >= (await lastSeq());

    before(async () => {
      if (!available) return;
      v = await startVigil({}, backend);
      // A store that refuses one incident, the way it refuses a value it cannot hold: a real error from the
      // real database, raised inside the pipeline's transaction.
      if (backend === 'sqlite') {
        await sql`create trigger poison before insert on incidents when new.title like '%203.0.113.99%' begin select raise(abort, 'refused by the store'); end`.execute(v.vigil.store.db);
      } else {
        await sql`create function poison() returns trigger language plpgsql as $$ begin if new.title like '%203.0.113.99%' then raise exception 'refused by the store' using errcode = '22023'; end if; return new; end $$`.execute(v.vigil.store.db);
        await sql`create trigger poison before insert on incidents for each row execute function poison()`.execute(v.vigil.store.db);
      }
    });
    after(async () => v?.stop());

    it('an alert with NUL in a value is detected, and detection goes on after it', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const evil = burst('198.51.100.10', 5, T0, 1000, 'evil\u0000user');
      const res = await post(ingest(), ndjson(evil));
      assert.equal(res.status, 202);
      await until(caughtUp, 10_000, 'the pipeline to pass the NUL alerts');
      // A later attack is still detected.
      assert.equal((await post(ingest(), ndjson(burst('198.51.100.11', 5, T0, 1000, 'bob')))).status, 202);
      await until(caughtUp, 10_000, 'the pipeline to pass the later attack');
      const incidents = await v.vigil.store.db.selectFrom('incidents').select(['id', 'title']).execute();
      assert.equal(incidents.filter((i) => i.title.includes('198.51.100.10')).length, 1, 'the NUL attack is an incident');
      assert.equal(incidents.filter((i) => i.title.includes('198.51.100.11')).length, 1, 'the later attack is an incident');
      const users = await v.vigil.store.db.selectFrom('incident_indicators').select('value').where('kind', '=', 'user').execute();
      assert.ok(users.some((u) => u.value === 'evil\ufffduser'), 'NUL reads as U+FFFD, the same on both stores');
    });

    it('a NUL in one sender\'s alert id fails no other sender', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const requests = Array.from({ length: 40 }, (_, i) => {
        const [a] = burst(`192.0.2.${i + 1}`, 1, new Date(T0.getTime() + i), 1000, 'alice');
        if (i === 7) (a as any).id = '1763719200.1\u0000x';
        if (i === 8) (a as any).id = randomBytes(4000).toString('hex'); // past PostgreSQL's index row limit
        return post(ingest(), ndjson([a]));
      });
      const answers = await Promise.all(requests);
      assert.deepEqual(answers.map((a) => a.status).filter((s) => s !== 202), [], 'every request is answered 202');
      assert.equal(answers.reduce((n, a) => n + a.json.accepted, 0), 40);
      await until(caughtUp, 10_000, 'the pipeline to pass them');
    });

    it('a 20 KB source address or user name neither stalls the pipeline nor differs between stores', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      // Random text: PostgreSQL compresses a repeated letter below its index row limit.
      const huge = 'A' + randomBytes(10_000).toString('hex');
      assert.equal((await post(ingest(), ndjson(burst(huge, 5, T0, 1000, 'carol')))).status, 202);
      assert.equal((await post(ingest(), ndjson(burst('198.51.100.20', 5, T0, 1000, huge)))).status, 202);
      assert.equal((await post(ingest(), ndjson(burst('198.51.100.21', 5, T0, 1000, 'dave')))).status, 202);
      await until(caughtUp, 15_000, 'the pipeline to pass the oversized values');
      const titles = (await v.vigil.store.db.selectFrom('incidents').select('title').execute()).map((i) => i.title);
      assert.equal(titles.filter((t) => t.includes('198.51.100.21')).length, 1, 'the later attack is detected');
      assert.equal(titles.filter((t) => t.includes('198.51.100.20')).length, 1, 'the attack with a huge user name is detected');
      assert.equal(titles.filter((t) => t.includes(huge.slice(0, 40))).length, 1, 'the attack from a huge "address" is detected');
    });
    it('is set aside with its reason and counted, and everything in its batch and after it goes on', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      // One request: the refused attack between two others, so they share the pipeline's batch.
      const body = ndjson([...burst('198.51.100.30', 5, T0, 1000), ...burst('203.0.113.99', 5, T0, 1000), ...burst('198.51.100.31', 5, T0, 1000)]);
      assert.equal((await post(ingest(), body)).status, 202);
      await until(caughtUp, 15_000, 'the pipeline to pass the refused record');
      assert.equal((await post(ingest(), ndjson(burst('198.51.100.32', 5, T0, 1000)))).status, 202);
      await until(caughtUp, 15_000, 'the pipeline to pass the later attack');
      const titles = (await v.vigil.store.db.selectFrom('incidents').select('title').execute()).map((i) => i.title);
      for (const ip of ['198.51.100.30', '198.51.100.31', '198.51.100.32']) assert.equal(titles.filter((t) => t.includes(ip)).length, 1, `${ip} is an incident`);
      assert.equal(titles.filter((t) => t.includes('203.0.113.99')).length, 0);
      const rows = await v.vigil.store.db.selectFrom('ingest_quarantine').selectAll().where('source', '=', 'pipeline').execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.reason, 'unprocessable');
      assert.match(rows[0]!.detail, /detection of rule .* refused by the store/);
      assert.match(rows[0]!.sample, /203\.0\.113\.99/);
      const metrics = await v.vigil.metrics.registry.getSingleMetricAsString('vigil_alerts_quarantined_total');
      assert.match(metrics, /vigil_alerts_quarantined_total\{source="pipeline",reason="unprocessable"\} 1/);
    });
  });
}

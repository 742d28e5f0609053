// The periodic jobs on two Vigils sharing one PostgreSQL schema: auto-resolve (and retention) run on the holder
// of the `jobs` lease only; when it stops, the other node takes the lease and the jobs over.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { burst, ndjson } from '../helpers/fixtures.js';
import { dropSchemas, uniqueSchema } from '../helpers/pg-schema.js';
import { post, postgresAvailable, startVigil, until, type Running } from '../helpers/vigil.js';

describe('periodic jobs on two nodes of one store', async () => {
  const skip = !(await postgresAvailable()) && 'PostgreSQL not reachable';
  const schema = uniqueSchema('jobs');
  const running: Running[] = [];
  after(async () => {
    for (const r of running) await r.stop().catch(() => {});
    if (!skip) await dropSchemas(schema);
  });

  it('only the leader auto-resolves; the other takes over when it stops', { skip }, async () => {
    const a = await startVigil({}, 'postgres', undefined, { schema });
    running.push(a);
    const b = await startVigil({}, 'postgres', undefined, { schema });
    running.push(b);
    assert.deepEqual([a.vigil.jobsLeader.isLeader(), b.vigil.jobsLeader.isLeader()], [true, false], 'the first node leads');
    assert.equal((await post(`${b.url}/api/v1/ingest/wazuh`, ndjson(burst('45.9.80.1', 6, new Date(Date.now() - 120_000), 2_000)))).status, 202);
    const db = a.vigil.store.db;
    await until(async () => (await db.selectFrom('incidents').select('id').execute()).length > 0, 20_000, 'the incident');
    const later = Date.now() + a.config.triage.quietPeriod + 60_000;
    assert.deepEqual(await b.vigil.lifecycle.tick(later), [], 'the follower does not sweep');
    assert.equal((await db.selectFrom('incidents').select('status').executeTakeFirstOrThrow()).status, 'open');
    // The leader stops (releasing the lease): the follower's next renewal takes it, and it sweeps.
    await a.stop();
    running.shift();
    await b.vigil.jobsLeader.tick();
    assert.equal(b.vigil.jobsLeader.isLeader(), true);
    const changes = await b.vigil.lifecycle.tick(later);
    assert.equal(changes.length, 1);
    assert.equal((await b.vigil.store.db.selectFrom('incidents').select('status').executeTakeFirstOrThrow()).status, 'resolved');
  });
});

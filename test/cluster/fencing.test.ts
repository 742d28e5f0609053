// The partition checkpoint is fenced in PostgreSQL: a node that stalled past its lease and finishes a batch after
// another node took the partition over (and raised the checkpoint's fence) commits nothing of it — no detection, no
// events counted into the incident, no outbox row — and the new owner's batches count every event once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toEvent } from '../../src/model/event.js';
import type { Event } from '../../src/model/index.js';
import { CursorFencedError, fenceCursor, getCursor } from '../../src/store/cursors.js';
import { burst } from '../helpers/fixtures.js';
import { dropSchemas, uniqueSchema } from '../helpers/pg-schema.js';
import { postgresAvailable, startVigil, type Running } from '../helpers/vigil.js';

const event = (a: Record<string, unknown>) => toEvent(a, JSON.stringify(a));
const at = (seq: number) => JSON.stringify({ seq, time: seq });

describe('fenced partition checkpoints', async () => {
  const skip = !(await postgresAvailable()) && 'PostgreSQL not reachable';
  const schema = uniqueSchema('fence');
  // Two owners of one partition in turn, each with its own correlation state, on one store.
  let oldOwner: Running;
  let newOwner: Running;
  before(async () => {
    if (skip) return;
    const overrides = { channels: { email: { enabled: true, host: '127.0.0.1', port: 9, to: ['soc@example.org'] } } };
    oldOwner = await startVigil(overrides, 'postgres', undefined, { schema });
    newOwner = await startVigil(overrides, 'postgres', undefined, { schema });
  });
  after(async () => {
    if (skip) return;
    await oldOwner?.stop();
    await newOwner?.stop();
    await dropSchemas(schema);
  });
  const count = async (table: 'detections' | 'incidents' | 'outbox') => Number((await oldOwner.vigil.store.db.selectFrom(table).select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const incident = async (ip: string) =>
    oldOwner.vigil.store.db.selectFrom('incidents').select(['event_count', 'detection_count']).where('entity_json', 'like', `%${ip}%`).executeTakeFirst();
  /** What one owner handling every event alone records for the attack (on a schema of its own). */
  const reference = async (events: Event[]) => {
    const solo = await startVigil({}, 'postgres');
    try {
      await solo.vigil.pipeline.handle(events, { name: 'solo', value: '0' });
      return await solo.vigil.store.db.selectFrom('incidents').select(['event_count', 'detection_count']).executeTakeFirstOrThrow();
    } finally {
      await solo.stop();
    }
  };

  it("a stalled former owner's batch that would fire a detection commits nothing", { skip }, async () => {
    const name = 'cluster:T:p1';
    const events = burst('198.51.100.7', 8, new Date(Date.now() - 60_000), 1000).map(event);
    const old = await fenceCursor(oldOwner.vigil.store.db, name, at(0));
    await oldOwner.vigil.pipeline.handle(events.slice(0, 3), { name, value: at(3), fence: old.fence });
    // The old owner stalls; its lease lapses and the new owner takes the partition: fence raised, state rebuilt.
    const taken = await fenceCursor(newOwner.vigil.store.db, name, at(0));
    assert.equal(taken.value, at(3), 'the new owner starts from the last committed checkpoint');
    newOwner.vigil.pipeline.warm(events.slice(0, 3));
    // The old owner wakes and finishes the batch that fires the brute force.
    await assert.rejects(oldOwner.vigil.pipeline.handle(events.slice(3), { name, value: at(8), fence: old.fence }), CursorFencedError);
    assert.deepEqual([await count('detections'), await count('incidents'), await count('outbox')], [0, 0, 0], 'nothing of the stale batch is kept');
    assert.equal(await getCursor(oldOwner.vigil.store.db, name), at(3));
    // The new owner reads the same messages and fires it once.
    const made = await newOwner.vigil.pipeline.handle(events.slice(3), { name, value: at(8), fence: taken.fence });
    assert.ok(made.length > 0, 'the new owner detects the attack');
    assert.equal(await count('incidents'), 1);
    assert.ok((await count('outbox')) > 0, 'its notification is queued once');
    assert.equal(await getCursor(oldOwner.vigil.store.db, name), at(8));
  });

  it("an attack's continuation is counted once when a stalled former owner finishes a batch late", { skip }, async () => {
    const name = 'cluster:T:p2';
    const ip = '198.51.100.8';
    const events = burst(ip, 10, new Date(Date.now() - 60_000), 1000).map(event);
    const expected = await reference(events);
    const old = await fenceCursor(oldOwner.vigil.store.db, name, at(0));
    // The old owner detects the attack (committed with its checkpoint) …
    assert.ok((await oldOwner.vigil.pipeline.handle(events.slice(0, 6), { name, value: at(6), fence: old.fence })).length > 0);
    const detected = await incident(ip);
    // … then stalls; the new owner takes over from that checkpoint and rebuilds.
    const taken = await fenceCursor(newOwner.vigil.store.db, name, at(0));
    newOwner.vigil.pipeline.warm(events.slice(0, 6));
    await assert.rejects(oldOwner.vigil.pipeline.handle(events.slice(6), { name, value: at(10), fence: old.fence }), CursorFencedError);
    assert.deepEqual(await incident(ip), detected, 'the stale continuation counted nothing');
    await newOwner.vigil.pipeline.handle(events.slice(6), { name, value: at(10), fence: taken.fence });
    assert.deepEqual(await incident(ip), expected, 'every event counted once, as one owner alone counts them');
  });
});

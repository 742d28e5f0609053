import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { GroupCommit } from '../../src/sources/group-commit.js';
import type { AlertRecord } from '../../src/store/alerts.js';
import { openDatabase } from '../../src/store/db.js';
import { PG_URL, postgresAvailable } from '../helpers/vigil.js';

const rec = (id: string): AlertRecord => ({ key: `m/${id}`, eventId: id, format: 'wazuh', source: 'test', body: JSON.stringify({ id }) });

describe('group commit', () => {
  it('writes concurrent batches together and gives each caller its own counts, duplicates included', async () => {
    const store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-gc-')), 'vigil.db'));
    try {
      const gc = new GroupCommit(store.db);
      const results = await Promise.all([gc.record([rec('1'), rec('2')]), gc.record([rec('2'), rec('3')]), gc.record([rec('1')]), gc.record([])]);
      assert.deepEqual(
        results.map((r) => ({ ...r, seqs: r.seqs.map((s) => (s === null ? null : 'seq')) })),
        [
          { accepted: 2, duplicates: 0, seqs: ['seq', 'seq'] },
          { accepted: 1, duplicates: 1, seqs: [null, 'seq'] },
          { accepted: 0, duplicates: 1, seqs: [null] },
          { accepted: 0, duplicates: 0, seqs: [] },
        ],
      );
      const rows = await store.db.selectFrom('alerts').select(['seq', 'event_id']).orderBy('seq').execute();
      assert.deepEqual(rows.map((r) => r.event_id), ['1', '2', '3']);
      // each caller learns the sequence number its alert got
      assert.deepEqual([results[0]!.seqs[0], results[0]!.seqs[1], results[1]!.seqs[1]], rows.map((r) => r.seq));
      // the same alert twice in one request: recorded once, the second copy a duplicate
      const again = await gc.record([rec('4'), rec('4'), rec('5')]);
      assert.deepEqual([again.accepted, again.duplicates, again.seqs[1]], [2, 1, null]);
      assert.ok(again.seqs[0]! > rows[2]!.seq && again.seqs[2]! > again.seqs[0]!);
    } finally {
      await store.close();
    }
  });

  it('gives each alert the sequence number it was stored under when duplicates and deleted rows leave gaps', async () => {
    const store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-gc-')), 'vigil.db'));
    try {
      const gc = new GroupCommit(store.db);
      const stored = async () => new Map((await store.db.selectFrom('alerts').select(['seq', 'event_id']).execute()).map((r) => [r.event_id, Number(r.seq)]));
      const first = await gc.record([rec('a'), rec('b'), rec('c')]);
      // the newest row gone (retention keeps the number used): the next one comes after it all the same
      await store.db.deleteFrom('alerts').where('event_id', '=', 'c').execute();
      // a duplicate at the end, in the middle and of the batch itself: each one skipped still uses a number up
      const second = await gc.record([rec('d'), rec('a'), rec('e'), rec('d'), rec('b')]);
      const third = await gc.record([rec('f'), rec('g')]);
      const seqs = await stored();
      assert.deepEqual(second.seqs, [seqs.get('d'), null, seqs.get('e'), null, null]);
      assert.deepEqual(third.seqs, [seqs.get('f'), seqs.get('g')]);
      assert.ok(second.seqs[0]! > first.seqs[2]!, 'a number once used is not given again');
      assert.deepEqual([second.accepted, second.duplicates, third.accepted], [2, 3, 2]);
    } finally {
      await store.close();
    }
  });
});

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`group commit on ${backend}`, async () => {
    const available = backend === 'sqlite' || (await postgresAvailable());
    const schema = `vigil_gc_${process.pid}`;
    const open = () => (backend === 'sqlite' ? openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-gc-')), 'vigil.db')) : openDatabase(PG_URL, { schema }));

    it('a batch the store refuses fails only its own caller; the others of its group are recorded', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const store = await open();
      try {
        const gc = new GroupCommit(store.db);
        const bad = { ...rec('x'), body: null as unknown as string }; // violates NOT NULL
        const outcome = await Promise.allSettled([gc.record([rec('a')]), gc.record([bad]), gc.record([rec('b'), rec('c')])]);
        assert.deepEqual(outcome.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
        assert.deepEqual(outcome.map((o) => (o.status === 'fulfilled' ? o.value.accepted : -1)), [1, -1, 2]);
        const rows = await store.db.selectFrom('alerts').select('event_id').orderBy('seq').execute();
        assert.deepEqual(rows.map((r) => r.event_id), ['a', 'b', 'c']);
        assert.deepEqual((await gc.record([rec('d')])).accepted, 1);
      } finally {
        if (backend === 'postgres') await sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(store.db);
        await store.close();
      }
    });

    it('batches of every size, split over several insert statements, keep their order and their duplicates', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const store = await open();
      try {
        const gc = new GroupCommit(store.db);
        // 341 alerts take one statement of each row count (256 + 64 + 16 + 4 + 1); alert 10 comes again at 300,
        // in another statement, and alert 7 twice inside the first; the second caller repeats one of the first's.
        const first = Array.from({ length: 341 }, (_, i) => rec(`n${i === 300 ? 10 : i === 8 ? 7 : i}`));
        const [a, b] = await Promise.all([gc.record(first), gc.record([rec('n5'), rec('m1'), rec('m2')])]);
        assert.deepEqual([a!.accepted, a!.duplicates, a!.seqs[8], a!.seqs[300]], [339, 2, null, null]);
        assert.deepEqual([b!.accepted, b!.duplicates, b!.seqs[0]], [2, 1, null]);
        const rows = await store.db.selectFrom('alerts').select(['seq', 'event_id']).orderBy('seq').execute();
        const expected = [...first.map((r) => r.eventId).filter((id, i, all) => all.indexOf(id) === i), 'm1', 'm2'];
        assert.deepEqual(rows.map((r) => r.event_id), expected, 'recorded once each, in the order sent');
        const given = [...a!.seqs, ...b!.seqs].filter((s) => s !== null).map(Number);
        assert.deepEqual(given, rows.map((r) => Number(r.seq)), 'each caller learns the sequence number of each alert it sent');
      } finally {
        if (backend === 'postgres') await sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(store.db);
        await store.close();
      }
    });
  });
}

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GroupCommit } from '../../src/sources/group-commit.js';
import type { AlertRecord } from '../../src/store/alerts.js';
import { openDatabase } from '../../src/store/db.js';

const rec = (id: string): AlertRecord => ({ key: `m/${id}`, eventId: id, format: 'wazuh', source: 'test', body: JSON.stringify({ id }) });

describe('group commit', () => {
  it('writes concurrent batches together and gives each caller its own counts, duplicates included', async () => {
    const store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-gc-')), 'vigil.db'));
    try {
      const gc = new GroupCommit(store.db);
      const results = await Promise.all([gc.record([rec('1'), rec('2')]), gc.record([rec('2'), rec('3')]), gc.record([rec('1')]), gc.record([])]);
      assert.deepEqual(results, [
        { accepted: 2, duplicates: 0 },
        { accepted: 1, duplicates: 1 },
        { accepted: 0, duplicates: 1 },
        { accepted: 0, duplicates: 0 },
      ]);
      const rows = await store.db.selectFrom('alerts').select('event_id').orderBy('seq').execute();
      assert.deepEqual(rows.map((r) => r.event_id), ['1', '2', '3']);
    } finally {
      await store.close();
    }
  });

  it('a failing write rejects every caller of that group, and the next group still works', async () => {
    const store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-gc-')), 'vigil.db'));
    try {
      const gc = new GroupCommit(store.db);
      const bad = { ...rec('x'), body: null as unknown as string }; // violates NOT NULL
      const outcome = await Promise.allSettled([gc.record([rec('a')]), gc.record([bad])]);
      assert.deepEqual(outcome.map((o) => o.status), ['rejected', 'rejected']);
      assert.deepEqual(await gc.record([rec('a')]), { accepted: 1, duplicates: 0 });
    } finally {
      await store.close();
    }
  });
});

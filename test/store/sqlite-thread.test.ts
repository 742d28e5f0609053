// The SQLite thread: while a large transaction is written, the event loop goes on (timers fire, so HTTP and
// detection would too); statements and errors come back as they would from SQLite itself.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { recordAlerts } from '../../src/store/alerts.js';
import { openDatabase } from '../../src/store/db.js';

describe('SQLite in its own thread', () => {
  it('a 20,000-alert commit does not hold the event loop: timers keep firing while it is written', async () => {
    const store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-thread-')), 'vigil.db'));
    try {
      const body = JSON.stringify({ padding: 'x'.repeat(2000) });
      const batch = Array.from({ length: 20_000 }, (_, i) => ({ key: `m/${i}`, eventId: `e${i}`, format: 'wazuh', source: 'test', body }));
      let ticks = 0;
      const timer = setInterval(() => ticks++, 2);
      const t0 = performance.now();
      const r = await recordAlerts(store.db, batch);
      const ms = performance.now() - t0;
      clearInterval(timer);
      assert.equal(r.accepted, 20_000);
      // A store on the event loop's own thread lets no timer run inside one transaction (its awaits resolve as
      // microtasks); here the loop is free for most of the write.
      assert.ok(ticks >= 5, `${ticks} timer ticks during a ${ms.toFixed(0)} ms commit`);
    } finally {
      await store.close();
    }
  });

  it('reuses prepared statements, reports SQLite errors with their code, and keeps a transaction on one connection', async () => {
    const store = await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-thread-')), 'vigil.db'));
    try {
      const err = await sql`insert into cursors (name, value, updated_at) values ('z', null, 1)`.execute(store.db).then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
      assert.match(String(err?.code), /^SQLITE_CONSTRAINT/);
      // Inside a transaction its own uncommitted write is visible; outside, readers see only what was committed.
      await store.db.transaction().execute(async (trx) => {
        await trx.insertInto('cursors').values({ name: 'a', value: '1', updated_at: 1 }).execute();
        assert.equal((await trx.selectFrom('cursors').select('value').where('name', '=', 'a').executeTakeFirst())?.value, '1');
        assert.equal(await store.db.selectFrom('cursors').select('value').where('name', '=', 'a').executeTakeFirst(), undefined);
      });
      assert.equal((await store.db.selectFrom('cursors').select('value').where('name', '=', 'a').executeTakeFirst())?.value, '1');
      // A failed transaction leaves nothing behind and the next one works.
      await assert.rejects(
        store.db.transaction().execute(async (trx) => {
          await trx.insertInto('cursors').values({ name: 'b', value: '1', updated_at: 1 }).execute();
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.equal(await store.db.selectFrom('cursors').select('value').where('name', '=', 'b').executeTakeFirst(), undefined);
    } finally {
      await store.close();
    }
  });
});

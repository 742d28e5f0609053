// Evidence marks: each call adds one holder to each distinct alert it names, in statements of a few fixed sizes
// (any number of ids, on either store), and leaves every other alert alone.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { markEvidence, recordAlerts, type AlertRecord } from '../../src/store/alerts.js';
import { openDatabase } from '../../src/store/db.js';
import { PG_URL, postgresAvailable } from '../helpers/vigil.js';

const rec = (id: string): AlertRecord => ({ key: `m/${id}`, eventId: id, format: 'wazuh', source: 'test', body: JSON.stringify({ id }) });

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`evidence marks on ${backend}`, async () => {
    const available = backend === 'sqlite' || (await postgresAvailable());
    const schema = `vigil_ev_${process.pid}`;
    it('adds one holder per distinct alert named, for any number of ids', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const store = backend === 'sqlite' ? await openDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-ev-')), 'vigil.db')) : await openDatabase(PG_URL, { schema });
      try {
        await recordAlerts(store.db, Array.from({ length: 400 }, (_, i) => rec(`e${i}`)));
        // 341 distinct ids (one statement of each size), e0 named three times
        const first = [...Array.from({ length: 341 }, (_, i) => `e${i}`), 'e0', 'e0'];
        await store.db.transaction().execute((trx) => markEvidence(trx, first));
        await store.db.transaction().execute((trx) => markEvidence(trx, ['e0', 'e340', 'e399', 'absent']));
        const refs = new Map((await store.db.selectFrom('alerts').select(['event_id', 'refs']).execute()).map((r) => [r.event_id, Number(r.refs)]));
        assert.deepEqual([refs.get('e0'), refs.get('e1'), refs.get('e339'), refs.get('e340'), refs.get('e341'), refs.get('e399')], [2, 1, 1, 2, 0, 1]);
        assert.equal([...refs.values()].reduce((a, b) => a + b, 0), 341 + 3);
      } finally {
        if (backend === 'postgres') await sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(store.db);
        await store.close();
      }
    });
  });
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { audit, auditFor } from '../../src/store/audit.js';
import { openDatabase } from '../../src/store/db.js';

describe('audit log', () => {
  it('records entries and lists them newest first per target', async () => {
    const { db, close } = await openDatabase(':memory:');
    await audit(db, { actor: 'user:ana', action: 'incident.acknowledge', target: 'incident:1', result: 'ok' }, 1000);
    await audit(db, { actor: 'system', action: 'incident.resolve', target: 'incident:1', result: 'ok', details: { reason: 'quiet' } }, 2000);
    await audit(db, { actor: 'user:bo', action: 'incident.acknowledge', target: 'incident:2', result: 'ok' }, 3000);
    const rows = await auditFor(db, 'incident:1');
    assert.deepEqual(
      rows.map((r) => [r.actor, r.action, r.at, r.details]),
      [
        ['system', 'incident.resolve', 2000, { reason: 'quiet' }],
        ['user:ana', 'incident.acknowledge', 1000, {}],
      ],
    );
    await close();
  });
});

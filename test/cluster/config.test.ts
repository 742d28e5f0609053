// The cluster section: off by default, and cluster mode refuses a store the nodes cannot share, naming the key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { createVigil } from '../../src/vigil.js';
import { quietLog } from '../helpers/quiet.js';

describe('cluster config', () => {
  it('is off by default with documented defaults', () => {
    const c = configSchema.parse({}).cluster;
    assert.equal(c.enabled, false);
    assert.deepEqual(c.servers, ['nats://127.0.0.1:4222']);
    assert.equal(c.stream, 'VIGIL');
    assert.equal(c.partitions, 16);
    assert.equal(c.leaseTtl, 10_000);
  });

  it('refuses a misspelt key and a bad stream name', () => {
    assert.throws(() => configSchema.parse({ cluster: { partition: 4 } }), /partition/);
    assert.throws(() => configSchema.parse({ cluster: { stream: 'a.b' } }));
  });

  it('needs PostgreSQL: start-up fails naming database.url', async () => {
    const config = configSchema.parse({ database: { url: ':memory:' }, cluster: { enabled: true } });
    await assert.rejects(createVigil(config, quietLog), (err: Error & { code?: string; location?: { key?: string } }) => {
      assert.equal(err.code, 'startup');
      assert.equal(err.location?.key, 'database.url');
      assert.match(err.message, /database\.url/);
      assert.match(err.message, /postgres/);
      return true;
    });
  });
});

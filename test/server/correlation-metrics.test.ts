// What an operator sees in /metrics about correlation state: groups held and matches not correlated.
// Alerts are SYNTHETIC 4625s (test/helpers/fixtures.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { burst, ndjson } from '../helpers/fixtures.js';
import { post, startVigil, until, type Running, scrape } from '../helpers/vigil.js';

describe('correlation metrics', () => {
  let v: Running;
  before(async () => {
    v = await startVigil({ detect: { lateness: '30s' } });
  });
  after(() => v?.stop());

  it('counts groups held and a match later than detect.lateness behind its group, per correlation', async () => {
    const start = new Date(Date.now() - 3_600_000);
    const recent = burst('198.51.100.201', 2, new Date(start.getTime() + 120_000), 1000);
    const late = burst('198.51.100.201', 1, start, 1000);
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson([...recent, ...late]))).status, 202);
    const metrics = async () => scrape(v);
    // One late alert, skipped by both correlations it feeds (brute force and password spray).
    await until(async () => /vigil_correlation_skipped_total\{reason="late"\} 2\b/.test(await metrics()), 15_000, 'the late match counted');
    const text = await metrics();
    assert.match(text, /vigil_correlation_skipped_total\{reason="future"\} 0\b/);
    assert.match(text, /vigil_correlation_groups [1-9]/);
  });
});

// Metric types as a scraper reads them from the exposition format: a name ending in `_total` is a counter and
// every counter's name ends in `_total` (what `promtool check metrics` checks), the correlation counters included.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scrape, startVigil, type Running } from '../helpers/vigil.js';

/** `# TYPE name type` lines of a Prometheus text exposition. */
export function metricTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) types.set(m[1]!, m[2]!);
  }
  return types;
}

describe('metric types', () => {
  let v: Running;
  before(async () => {
    v = await startVigil();
  });
  after(() => v?.stop());

  it('every *_total is a counter and every counter is named *_total', async () => {
    const text = await scrape(v);
    const types = metricTypes(text);
    assert.ok(types.size > 20, 'the exposition lists the metrics');
    const wrong = [...types].filter(([name, type]) => name.endsWith('_total') !== (type === 'counter')).map(([n, t]) => `${n} is a ${t}`);
    assert.deepEqual(wrong, []);
    assert.equal(types.get('vigil_correlation_evictions_total'), 'counter');
    assert.equal(types.get('vigil_correlation_skipped_total'), 'counter');
    // Read at scrape time, the counters carry samples from the first scrape on.
    assert.match(text, /^vigil_correlation_evictions_total 0$/m);
    assert.match(text, /^vigil_correlation_skipped_total\{reason="late"\} 0$/m);
  });
});

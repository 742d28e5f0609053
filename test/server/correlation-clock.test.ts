// `vigil serve` decides a correlation that can only be judged when its window ends ("fewer than", "exactly") when
// the window expires by the injected clock, though no later alert arrives: the alert runner's scheduled pass
// closes it. The clock is a fake the test moves; the alerts are SYNTHETIC Wazuh alerts of one rule id.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { post, startVigil, until, type Running } from '../helpers/vigil.js';

const RULES = `title: Synthetic check-in
name: checkin
logsource: { product: wazuh }
detection:
  sel: { rule.id: '990001' }
  condition: sel
level: low
---
title: Too few check-ins
correlation: { type: event_count, rules: [checkin], group-by: [agent.name], timespan: 1m, condition: { lt: 3 } }
level: medium
---
title: Exactly two check-ins
correlation: { type: event_count, rules: [checkin], group-by: [agent.name], timespan: 1m, condition: { eq: 2 } }
level: medium
`;

describe('correlation windows close on the clock in serve', () => {
  let v: Running;
  const start = Date.now();
  let now = start;
  const alert = (i: number, agent: string) =>
    JSON.stringify({ id: `${start}.${agent}.${i}`, timestamp: new Date(start + i * 1000).toISOString(), rule: { id: '990001', level: 3, description: 'check-in' }, agent: { id: '001', name: agent }, data: {} });

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-clock-rules-'));
    writeFileSync(join(dir, 'checkin.yml'), RULES);
    v = await startVigil({ rules: { builtin: false, paths: [dir] }, detect: { lateness: '5s' } }, 'sqlite', undefined, { clock: () => now });
  });
  after(() => v?.stop());

  const detections = async () => (await v.vigil.store.db.selectFrom('detections').select(['rule_title', 'count']).execute()).map((d) => `${d.rule_title}: ${d.count}`).sort();

  it('lt and eq fire when the fake clock passes the window end plus the lateness, with no later alert', async () => {
    const body = [alert(0, 'web-01'), alert(1, 'web-01')].join('\n');
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, body)).status, 202);
    await until(async () => (await v.vigil.store.db.selectFrom('alerts').select('seq').execute()).length === 2 && v.vigil.runner.position > 0, 10_000, 'the alerts handled');
    // The scheduler passes every second; with the clock inside the window nothing is decided.
    now = start + 30_000;
    await new Promise((r) => setTimeout(r, 2_500));
    assert.deepEqual(await detections(), []);
    // Past the window (1 min from the first alert) and the lateness (5 s): the next pass decides both.
    now = start + 60_000 + 5_000 + 2_000;
    await until(async () => (await detections()).length === 2, 10_000, 'the windows closed by the clock');
    assert.deepEqual(await detections(), ['Exactly two check-ins: 2', 'Too few check-ins: 2']);
  });
});

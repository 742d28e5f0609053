// Real `vigil serve --cluster` processes with a correlation judged when its window closes (CLOSING_RULES: fewer
// than three failed logons from one address within 8 s). No later event closes the window: the owner of the
// address's partition judges it on the clock, once; when that owner is killed with SIGKILL while the window is
// open, the node that takes the partition over rebuilds the window from the stream and judges it, once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { burst } from '../helpers/fixtures.js';
import { until } from '../helpers/vigil.js';
import { clusterServices, postAlerts, query } from '../helpers/cluster.js';
import { CLOSING_RULES, detectedBy, partitionCaughtUp, rebuiltFromCheckpoint, settled, withRuleCluster, type RuleCluster } from '../helpers/cluster-rules.js';

const TITLE = 'A Few Failed Logons From One Address';
// The window (8 s) closes 1 s after its end: the lateness allowed here.
const DETECT = ['detect:', '  lateness: 1s'];

async function detections(c: RuleCluster): Promise<[string, unknown, number][]> {
  const rows = await query<{ rule_title: string; group_json: string; count: number }>(c.dbUrl, 'select rule_title, group_json, count from detections');
  return rows.map((d) => [d.rule_title, JSON.parse(d.group_json), Number(d.count)]);
}

describe('cluster mode: a correlation judged when its window closes', { concurrency: false }, () => {
  const services = clusterServices();

  it('is judged once, by the owner of its partition, when its window closes on the clock', async (t) => {
    if (services.skipped(t)) return;
    await withRuleCluster(CLOSING_RULES, DETECT, async (c) => {
      const nodes = [...c.nodes.values()];
      const now = new Date();
      // Two failed logons from one address (fewer than three: fires), three from another (does not).
      const alerts = [...burst('203.0.113.10', 2, now, 1000), ...burst('203.0.113.20', 3, now, 1000)];
      for (const [i, a] of alerts.entries()) assert.equal(await postAlerts(nodes[i % nodes.length]!, [a]), 202);
      await settled(c, 1, 2500);
      // Both windows are over by now (8 s + 1 s after their first event), and were judged at a heartbeat since.
      await until(() => Date.now() > now.getTime() + 12_000, 15_000, 'both windows to be over');
      assert.deepEqual(await detections(c), [[TITLE, { IpAddress: '203.0.113.10' }, 2]]);
      assert.equal(c.smtp.messages.length, 1);
      assert.deepEqual(detectedBy(nodes, TITLE), [c.owners[c.partitionOf('test_few_failures', '203.0.113.10')]]);
    });
  });

  it('its partition’s owner SIGKILLed while the window is open: the new owner rebuilds it and judges it once', async (t) => {
    if (services.skipped(t)) return;
    await withRuleCluster(CLOSING_RULES, DETECT, async (c) => {
      const ip = '203.0.113.10';
      const p = c.partitionOf('test_few_failures', ip);
      const victim = c.owners[p]!;
      const survivors = [...c.nodes.values()].filter((n) => n.id !== victim);
      const now = new Date();
      for (const [i, a] of burst(ip, 2, now, 1000).entries()) assert.equal(await postAlerts(survivors[i % survivors.length]!, [a]), 202);
      // The owner has the window open (its checkpoint is past both events); the window ends 8 s after the first.
      await until(() => partitionCaughtUp(c, p), 5_000, 'the owner to take both failed logons');
      assert.ok(Date.now() < now.getTime() + 8_000, 'killed before the window ends');
      await c.nodes.get(victim)!.kill('SIGKILL');
      c.nodes.delete(victim);

      await settled(c, 1, 2500);
      assert.deepEqual(await detections(c), [[TITLE, { IpAddress: ip }, 2]]);
      assert.equal(c.smtp.messages.length, 1);
      const by = detectedBy(survivors, TITLE);
      assert.equal(by.length, 1);
      assert.ok(rebuiltFromCheckpoint(c.nodes.get(by[0]!)!, p), 'the node that judged it rebuilt the partition from its checkpoint');
    });
  });
});

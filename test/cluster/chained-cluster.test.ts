// Real `vigil serve --cluster` processes with a chained correlation whose group-by differs from the one it is
// built on (CHAINED_RULES: failed logons per address and account, then one account guessed from three
// addresses). The inner firings for one account are made on different partitions, served by different nodes; the
// outer correlation must still fire exactly once, on the owner of the account's partition, also when that owner
// is killed with SIGKILL between the inner firings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupKey } from '../../src/detect/correlation/engine.js';
import { burst } from '../helpers/fixtures.js';
import { until } from '../helpers/vigil.js';
import { clusterServices, postAlerts, query, type RunningNode } from '../helpers/cluster.js';
import { CHAINED_RULES, detectedBy, partitionCaughtUp, rebuiltFromCheckpoint, settled, withRuleCluster, type RuleCluster } from '../helpers/cluster-rules.js';

const USER = 'alice';
const OUTER_TITLE = 'One Account Guessed From Several Addresses';

const outerPartition = (c: RuleCluster) => c.partitionOf('test_account_guessed_widely', USER);
const innerPartition = (c: RuleCluster, ip: string) => c.partitionOf('test_account_guessed', groupKey([ip, USER]));

/**
 * `n` addresses whose inner groups are on distinct partitions other than the outer one, owned by nodes that
 * `allowed` accepts, on as many different nodes as there are.
 */
function addresses(c: RuleCluster, n: number, allowed: (node: string) => boolean): string[] {
  const owner = (ip: string) => c.owners[innerPartition(c, ip)]!;
  const candidates = Array.from({ length: 254 }, (_, i) => `203.0.113.${i + 1}`).filter((ip) => innerPartition(c, ip) !== outerPartition(c) && allowed(owner(ip)));
  const chosen: string[] = [];
  const partitions = new Set<number>();
  const nodes = new Set<string>();
  // First one address per node, then any free partition.
  for (const pass of [true, false])
    for (const ip of candidates) {
      if (chosen.length === n || partitions.has(innerPartition(c, ip)) || (pass && nodes.has(owner(ip)))) continue;
      chosen.push(ip);
      partitions.add(innerPartition(c, ip));
      nodes.add(owner(ip));
    }
  assert.equal(chosen.length, n, 'enough partitions for the inner groups');
  return chosen;
}

/** Three failed logons against the account from each address, the addresses' attempts interleaved in time. */
const attempts = (ips: string[]) => {
  const start = new Date(Date.now() - 60_000);
  return ips.map((ip, i) => burst(ip, 3, new Date(start.getTime() + i * 1000), 3000, USER));
};

async function outerDetections(c: RuleCluster): Promise<{ rule_title: string; group_json: string; event_ids_json: string }[]> {
  return query(c.dbUrl, 'select rule_title, group_json, event_ids_json from detections');
}

describe('cluster mode: a chained correlation grouped differently from the one it is built on', { concurrency: false }, () => {
  const services = clusterServices();

  it('inner firings on different nodes meet on the outer group’s partition: one detection, one email', async (t) => {
    if (services.skipped(t)) return;
    await withRuleCluster(CHAINED_RULES, [], async (c) => {
      const nodes = [...c.nodes.values()];
      const ips = addresses(c, 4, () => true);
      assert.ok(new Set(ips.map((ip) => c.owners[innerPartition(c, ip)])).size >= 2, 'the inner firings are made by different nodes');
      const per = attempts(ips);
      let turn = 0;
      for (let k = 0; k < 3; k++) for (const alerts of per) assert.equal(await postAlerts(nodes[turn++ % nodes.length]!, [alerts[k]]), 202);

      await settled(c, 1);
      // The fourth address's firing comes after the detection; nothing more may follow it.
      await until(() => partitionCaughtUp(c, outerPartition(c)), 20_000, 'the outer partition to read every firing');
      await new Promise((r) => setTimeout(r, 1500));
      const detections = await outerDetections(c);
      assert.equal(detections.length, 1, JSON.stringify(detections.map((d) => d.rule_title)));
      assert.equal(detections[0]!.rule_title, OUTER_TITLE);
      assert.deepEqual(JSON.parse(detections[0]!.group_json), { TargetUserName: USER });
      // The fourth firing came after the detection: the detection and its incident count it as the attack going on.
      const ids = JSON.parse(detections[0]!.event_ids_json) as string[];
      assert.equal(new Set(ids).size, 12, 'the failed logons of all four inner firings');
      assert.equal(ids.length, 12, 'each once');
      const [incidents] = await query<{ n: string }>(c.dbUrl, 'select count(*) as n from incidents');
      assert.equal(Number(incidents!.n), 1);
      assert.equal(c.smtp.messages.length, 1);
      assert.deepEqual(detectedBy(nodes, OUTER_TITLE), [c.owners[outerPartition(c)]], 'made by the owner of the account’s partition');
    });
  });

  it('the outer group’s owner SIGKILLed after two inner firings: its successor rebuilds them and fires once', async (t) => {
    if (services.skipped(t)) return;
    await withRuleCluster(CHAINED_RULES, [], async (c) => {
      const victim = c.owners[outerPartition(c)]!;
      const per = attempts(addresses(c, 3, (n) => n !== victim));
      const survivors: RunningNode[] = [...c.nodes.values()].filter((n) => n.id !== victim);
      let turn = 0;
      for (const alerts of per.slice(0, 2)) for (const a of alerts) assert.equal(await postAlerts(survivors[turn++ % survivors.length]!, [a]), 202);
      // Both firings forwarded to the outer partition and handled there (its checkpoint committed past them).
      await until(() => partitionCaughtUp(c, outerPartition(c)), 20_000, 'the outer partition to take two firings');
      await c.nodes.get(victim)!.kill('SIGKILL');
      c.nodes.delete(victim);
      for (const a of per[2]!) assert.equal(await postAlerts(survivors[turn++ % survivors.length]!, [a]), 202);

      await settled(c, 1);
      const detections = await outerDetections(c);
      assert.equal(detections.length, 1);
      assert.equal(detections[0]!.rule_title, OUTER_TITLE);
      const ids = JSON.parse(detections[0]!.event_ids_json) as string[];
      assert.deepEqual([new Set(ids).size, ids.length], [9, 9], 'the two firings before the kill rebuilt, each once, and the third');
      assert.equal(c.smtp.messages.length, 1);
      const by = detectedBy(survivors, OUTER_TITLE);
      assert.equal(by.length, 1, 'a survivor made the detection');
      assert.ok(rebuiltFromCheckpoint(c.nodes.get(by[0]!)!, outerPartition(c)), 'after rebuilding the outer partition from its checkpoint');
    });
  });
});

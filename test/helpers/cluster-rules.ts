// Cluster tests with rules of their own: the rule texts, three nodes that load only them, and what the tests read
// of a partition (its newest message, its checkpoint, who owns it, who rebuilt it and who detected what).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioner } from '../../src/cluster/node.js';
import { loadRules, type CorrelationRule, type RuleSet } from '../../src/detect/rules.js';
import { startSmtp, type TestSmtp } from './smtp.js';
import { until } from './vigil.js';
import { allReady, clusterStatus, createDatabase, deleteStream, NATS_URL, query, startNode, unique, type RunningNode } from './cluster.js';

export const PARTITIONS = 8;

const FAILED_LOGON = `title: Failed Logon
id: 6b0c6f0e-7d38-4f43-9f0a-2f7b1f0c0a01
name: test_failed_logon
logsource: { product: windows, service: security }
detection:
  selection: { EventID: 4625 }
  condition: selection
level: low
`;

/**
 * A chained correlation whose group-by differs from the one it is built on: three failed logons against one
 * account from one address (per address and account), and one account guessed that way from three addresses
 * (per account). Only the outer one alerts (generate defaults to false).
 */
export const CHAINED_RULES = `${FAILED_LOGON}---
title: One Account Guessed From One Address
id: 6b0c6f0e-7d38-4f43-9f0a-2f7b1f0c0a02
name: test_account_guessed
correlation:
  type: event_count
  rules: [test_failed_logon]
  group-by: [IpAddress, TargetUserName]
  timespan: 5m
  condition: { gte: 3 }
level: medium
---
title: One Account Guessed From Several Addresses
id: 6b0c6f0e-7d38-4f43-9f0a-2f7b1f0c0a03
name: test_account_guessed_widely
correlation:
  type: value_count
  rules: [test_account_guessed]
  group-by: [TargetUserName]
  timespan: 10m
  condition: { field: IpAddress, gte: 3 }
level: high
`;

/** A correlation judged when its window closes: fewer than three failed logons from one address within 8 s. */
export const CLOSING_RULES = `${FAILED_LOGON}---
title: A Few Failed Logons From One Address
id: 6b0c6f0e-7d38-4f43-9f0a-2f7b1f0c0b02
name: test_few_failures
correlation:
  type: event_count
  rules: [test_failed_logon]
  group-by: [IpAddress]
  timespan: 8s
  condition: { lt: 3 }
level: medium
`;

export interface RuleCluster {
  nodes: Map<string, RunningNode>;
  dbUrl: string;
  stream: string;
  smtp: TestSmtp;
  rules: RuleSet;
  /** The partition of a correlation's group, by the correlation's name. */
  partitionOf(name: string, key: string): number;
  /** Each partition's owner once all three nodes are ready. */
  owners: string[];
}

/** Three nodes (n1–n3) that load only `rules`, each with `extra` config lines; everything is removed after `run`. */
export async function withRuleCluster(rules: string, extra: string[], run: (c: RuleCluster) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
  const file = join(dir, 'rules.yml');
  writeFileSync(file, rules);
  const config = ['rules:', '  builtin: false', `  paths: [${file}]`, '  strict: true', ...extra];
  const db = await createDatabase();
  const stream = unique('VX');
  const smtp = await startSmtp();
  const nodes = new Map<string, RunningNode>();
  try {
    for (const id of ['n1', 'n2', 'n3']) nodes.set(id, await startNode({ id, dbUrl: db.url, stream, smtpPort: smtp.port, partitions: PARTITIONS, extra: config }));
    await allReady([...nodes.values()]);
    await until(async () => (await clusterStatus(nodes.get('n1')!.config)).code === 0, 20_000, 'every partition owned');
    const { status } = await clusterStatus(nodes.get('n1')!.config);
    const set = loadRules([file]);
    const partitioner = new Partitioner(set, PARTITIONS);
    const named = (name: string) => set.rules.find((r): r is CorrelationRule => r.kind === 'correlation' && r.name === name)!;
    await run({
      nodes,
      dbUrl: db.url,
      stream,
      smtp,
      rules: set,
      partitionOf: (name, key) => partitioner.of(named(name), key),
      owners: (status.partitions as { owner: string }[]).map((p) => p.owner),
    });
  } finally {
    for (const n of nodes.values()) await n.kill();
    await smtp.close();
    await deleteStream(stream);
    await db.drop();
  }
}

/** Whether partition `p`'s owner has handled its newest message (its checkpoint has reached it). */
export async function partitionCaughtUp(c: RuleCluster, p: number): Promise<boolean> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: NATS_URL });
  let last = 0;
  try {
    const jsm = await jetstreamManager(nc);
    last = (await jsm.streams.getMessage(c.stream, { last_by_subj: `${c.stream}.p.${p}` }).catch(() => null))?.seq ?? 0;
  } finally {
    await nc.close();
  }
  const [row] = await query<{ value: string }>(c.dbUrl, `select value from cursors where name = 'cluster:${c.stream}:p${p}'`);
  return last > 0 && row !== undefined && (JSON.parse(row.value) as { seq: number }).seq >= last;
}

/** Waits for `emails` mails and the outbox to drain, then a quiet moment in which a duplicate would show. */
export async function settled(c: RuleCluster, emails: number, quietMs = 1500): Promise<void> {
  await c.smtp.waitFor(emails, 40_000);
  await until(async () => Number((await query<{ n: string }>(c.dbUrl, "select count(*) as n from outbox where state <> 'delivered'"))[0]!.n) === 0, 20_000, 'the outbox to drain');
  await new Promise((r) => setTimeout(r, quietMs));
}

/** The ids of the nodes that logged a detection of the rule titled `title`. */
export function detectedBy(nodes: Iterable<RunningNode>, title: string): string[] {
  return [...nodes].filter((n) => n.output().split('\n').some((l) => l.includes('"msg":"detection"') && l.includes(title))).map((n) => n.id);
}

/** Whether a node rebuilt partition `p` from a checkpoint (took it over from a node that had served it). */
export function rebuiltFromCheckpoint(node: RunningNode, p: number): boolean {
  return node
    .output()
    .split('\n')
    .filter((l) => l.includes('partition rebuilt'))
    .some((l) => {
      const r = JSON.parse(l) as { partition: number; checkpoint: number };
      return r.partition === p && r.checkpoint > 0;
    });
}

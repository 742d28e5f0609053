// vigil cluster status: what the cluster's shared state says (NATS KV membership and leases, the stream and its
// detect consumer; which node reads each leased source, from the nodes' reports). It reads only; it needs the
// cluster section of the config, not the store.
import type { Config } from '../config/schema.js';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectionOptions } from '../cluster/stream.js';
import { DETECT_CONSUMER } from '../cluster/node.js';
import { KvMembership, KvPartitionLeases, type NodeReport } from '../cluster/partition-leases.js';
import { VigilError } from '../errors.js';

export interface ClusterStatus {
  stream: { name: string; messages: number; bytes: number; firstSeq: number; lastSeq: number };
  /** Alerts no node has taken yet, and alerts taken but not yet acknowledged. */
  ingest: { pending: number; inFlight: number };
  nodes: (NodeReport & { owns: number[] })[];
  partitions: { partition: number; owner: string | null; lag: number | null; rebuildMs: number | null }[];
  /** The leased sources (alerts file per path, indexer): the node reading each, and the nodes standing by for it. */
  sources: { lease: string; reader: string | null; standby: string[] }[];
}

export async function readClusterStatus(config: Config): Promise<ClusterStatus> {
  const c = config.cluster;
  let nc;
  try {
    nc = await connect({ ...connectionOptions(c, 'vigil cluster status'), maxReconnectAttempts: 0 });
  } catch (err) {
    throw new VigilError('startup', `cannot connect to NATS at ${c.servers.join(', ')} (cluster.servers): ${(err as Error).message}`);
  }
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(c.stream).catch(() => {
      throw new VigilError('startup', `no stream "${c.stream}" on NATS (cluster.stream): has a node of this cluster started?`);
    });
    const detect = await jsm.consumers.info(c.stream, DETECT_CONSUMER).catch(() => undefined);
    const membership = await KvMembership.open(nc, c.stream, c.leaseTtl, c.replicas);
    const leases = await KvPartitionLeases.open(nc, c.stream, 'status', c.leaseTtl, c.replicas);
    const reports = await membership.nodes();
    const holders = await leases.holders();
    const partitions: ClusterStatus['partitions'] = [];
    for (let p = 0; p < c.partitions; p++) {
      const owner = holders.get(`p${p}`) ?? null;
      const r = owner ? reports.get(owner)?.partitions[String(p)] : undefined;
      partitions.push({ partition: p, owner, lag: r?.lag ?? null, rebuildMs: r?.rebuildMs ?? null });
    }
    const nodes = [...reports.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((n) => ({ ...n, owns: partitions.filter((p) => p.owner === n.id).map((p) => p.partition) }));
    const sources = new Map<string, ClusterStatus['sources'][number]>();
    for (const n of nodes)
      for (const [lease, state] of Object.entries(n.sources ?? {})) {
        let s = sources.get(lease);
        if (!s) sources.set(lease, (s = { lease, reader: null, standby: [] }));
        if (state === 'reading') s.reader = n.id;
        else s.standby.push(n.id);
      }
    return {
      stream: { name: c.stream, messages: info.state.messages, bytes: info.state.bytes, firstSeq: info.state.first_seq, lastSeq: info.state.last_seq },
      ingest: { pending: detect?.num_pending ?? 0, inFlight: detect?.num_ack_pending ?? 0 },
      nodes,
      partitions,
      sources: [...sources.values()].sort((a, b) => a.lease.localeCompare(b.lease)),
    };
  } finally {
    await nc.close();
  }
}

export async function clusterStatus(config: Config, opts: { json?: boolean }): Promise<number> {
  const s = await readClusterStatus(config);
  if (opts.json) {
    process.stdout.write(JSON.stringify(s, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `stream ${s.stream.name}: ${s.stream.messages} messages, ${(s.stream.bytes / 2 ** 20).toFixed(1)} MiB (sequence ${s.stream.firstSeq}–${s.stream.lastSeq})`,
    `ingest: ${s.ingest.pending} alerts waiting for a node, ${s.ingest.inFlight} being handled`,
    '',
    `nodes (${s.nodes.length}):`,
    ...s.nodes.map((n) => `  ${n.id.padEnd(20)} ${n.ready ? 'ready   ' : 'starting'} ${n.listen.padEnd(22)} partitions ${n.owns.length > 0 ? n.owns.join(',') : '-'}`),
    '',
    'partitions:',
    '  partition  owner                 lag   rebuild',
    ...s.partitions.map(
      (p) => `  ${String(p.partition).padEnd(9)}  ${(p.owner ?? '(none)').padEnd(20)}  ${String(p.lag ?? '-').padStart(4)}  ${p.rebuildMs === null ? '-' : `${(p.rebuildMs / 1000).toFixed(2)} s`}`,
    ),
  ];
  if (s.sources.length > 0)
    lines.push('', 'sources (one reader each):', ...s.sources.map((x) => `  ${x.lease}: read by ${x.reader ?? '(none yet)'}${x.standby.length > 0 ? `; standing by: ${x.standby.join(', ')}` : ''}`));
  const unowned = s.partitions.filter((p) => p.owner === null).length;
  if (unowned > 0) lines.push('', `${unowned} partition(s) without an owner: their correlations wait (a node died less than cluster.leaseTtl ago, or no node is running)`);
  process.stdout.write(lines.join('\n') + '\n');
  return unowned > 0 ? 1 : 0;
}

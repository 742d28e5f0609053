// Cluster mode assembled (README "Cluster mode"): the stream, the leases and the node, from `cluster:`.
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { VigilError } from '../errors.js';
import { ClusterNode, type ClusterNodeOptions } from './node.js';
import { KvMembership, KvPartitionLeases } from './partition-leases.js';
import { AlertStream, nodeIdOf } from './stream.js';

export { ClusterNode, Partitioner, Router, StreamBacklog } from './node.js';
export { AlertStream, StreamUnavailableError, nodeIdOf } from './stream.js';
export { FiringReader } from './chained.js';

/** What cluster mode needs of the rest of the config; the message names the key to change. */
export function clusterConfigProblem(config: Config): string | undefined {
  if (!config.cluster.enabled) return undefined;
  if (!/^postgres(ql)?:\/\//.test(config.database.url))
    return `cluster mode (cluster.enabled or serve --cluster) needs the shared PostgreSQL store: set database.url to a postgres:// URL (it is "${config.database.url}")`;
  return undefined;
}

/** Connects to NATS and makes sure the stream exists; start-up fails with the servers named when it cannot. */
export async function openStream(config: Config, log: Logger): Promise<{ stream: AlertStream; nodeId: string }> {
  const nodeId = nodeIdOf(config.cluster);
  try {
    return { stream: await AlertStream.open(config.cluster, nodeId, log), nodeId };
  } catch (err) {
    throw new VigilError('startup', `cluster: ${(err as Error).message}`, { key: 'cluster.servers' }, { cause: err });
  }
}

export async function createNode(o: Omit<ClusterNodeOptions, 'leases' | 'membership'>): Promise<ClusterNode> {
  const { nc, config } = o.stream;
  const leases = await KvPartitionLeases.open(nc, config.stream, o.nodeId, config.leaseTtl, config.replicas);
  const membership = await KvMembership.open(nc, config.stream, config.leaseTtl, config.replicas);
  return new ClusterNode({ ...o, leases, membership });
}

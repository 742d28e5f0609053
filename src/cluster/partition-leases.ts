// Who serves which correlation partition, and which nodes are alive: two JetStream KV buckets whose entries
// expire after the lease TTL unless renewed. A lease is taken with KV create (only if absent) and renewed with
// an update conditioned on the revision this node last wrote, so two nodes never both believe they hold it; a
// node that dies stops renewing and its leases lapse after one TTL. No consensus of our own: JetStream's.
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SourceState } from './source-lease.js';

/** Ownership of named leases by one holder (this node). */
export interface PartitionLeases {
  /** Takes the lease if nobody holds it; true when this holder has it now. */
  acquire(name: string): Promise<boolean>;
  /** Renews a lease this holder has; false when it was lost (expired and taken, or never held). */
  renew(name: string): Promise<boolean>;
  /** Gives a lease up at once (a graceful hand-over); no-op when not held. */
  release(name: string): Promise<void>;
  /** Every lease held now: name → holder. */
  holders(): Promise<Map<string, string>>;
}

/** What a node says of itself each heartbeat (read by `vigil cluster status` and by the other nodes). */
export interface NodeReport {
  id: string;
  /** Where its HTTP API listens. */
  listen: string;
  startedAt: number;
  /** The time of this report (the node's clock). */
  at: number;
  ready: boolean;
  /** Per owned partition: messages not yet processed, and how long its rebuild took (null while rebuilding). */
  partitions: Record<string, { lag: number; rebuildMs: number | null }>;
  /** The leased sources it has enabled, by lease: reading (it holds the lease) or standing by. */
  sources?: Record<string, SourceState>;
}

export interface Membership {
  /** Announces (or renews) this node. */
  heartbeat(report: NodeReport): Promise<void>;
  leave(id: string): Promise<void>;
  /** The live nodes, by id. */
  nodes(): Promise<Map<string, NodeReport>>;
}

export const bucketNames = (stream: string) => ({ leases: `${stream}_leases`, nodes: `${stream}_nodes` });

async function bucket(nc: NatsConnection, name: string, ttl: number, replicas: number): Promise<KV> {
  const kvm = new Kvm(nc);
  // create() binds to the bucket when it exists with the same settings.
  return kvm.create(name, { ttl, history: 1, replicas });
}

export class KvPartitionLeases implements PartitionLeases {
  private readonly revisions = new Map<string, number>();

  private constructor(
    private readonly kv: KV,
    private readonly holder: string,
  ) {}

  static async open(nc: NatsConnection, stream: string, holder: string, ttl: number, replicas = 1): Promise<KvPartitionLeases> {
    return new KvPartitionLeases(await bucket(nc, bucketNames(stream).leases, ttl, replicas), holder);
  }

  async acquire(name: string): Promise<boolean> {
    if (this.revisions.has(name)) return this.renew(name);
    try {
      this.revisions.set(name, await this.kv.create(name, this.holder));
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  async renew(name: string): Promise<boolean> {
    const revision = this.revisions.get(name);
    if (revision === undefined) return false;
    try {
      this.revisions.set(name, await this.kv.update(name, this.holder, revision));
      return true;
    } catch (err) {
      if (!isConflict(err)) throw err;
      this.revisions.delete(name);
      return false;
    }
  }

  async release(name: string): Promise<void> {
    const revision = this.revisions.get(name);
    if (revision === undefined) return;
    this.revisions.delete(name);
    await this.kv.delete(name, { previousSeq: revision }).catch((err) => {
      if (!isConflict(err)) throw err;
    });
  }

  async holders(): Promise<Map<string, string>> {
    return readAll(this.kv, (v) => v);
  }
}

export class KvMembership implements Membership {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, stream: string, ttl: number, replicas = 1): Promise<KvMembership> {
    return new KvMembership(await bucket(nc, bucketNames(stream).nodes, ttl, replicas));
  }

  async heartbeat(report: NodeReport): Promise<void> {
    await this.kv.put(report.id, JSON.stringify(report));
  }

  async leave(id: string): Promise<void> {
    await this.kv.delete(id);
  }

  async nodes(): Promise<Map<string, NodeReport>> {
    return readAll(this.kv, (v) => JSON.parse(v) as NodeReport);
  }
}

async function readAll<T>(kv: KV, parse: (v: string) => T): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  const keys: string[] = [];
  for await (const k of await kv.keys()) keys.push(k);
  for (const k of keys) {
    const e = await kv.get(k);
    if (e && e.operation === 'PUT') out.set(k, parse(e.string()));
  }
  return out;
}

/** KV create on a present key, or update on a stale revision. */
function isConflict(err: unknown): boolean {
  return /wrong last sequence|key exists/i.test((err as Error)?.message ?? '');
}

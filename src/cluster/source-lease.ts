// Cluster mode: a source that reads one shared position (the alerts file at a path, the indexer's cursor) runs on
// one node at a time, the holder of the source's lease (leases.ts: a row in PostgreSQL with a fencing token, expiry
// by the database's clock). Every node with the source enabled runs one of these: the holder reads, the others stand
// by and seek the lease at every renewal. A holder that stops releases it, so another node takes over at its next
// try (a third of the lease's lifetime); one that dies stops renewing, and another takes over once the lease lapses.
// Each holding starts a fresh instance of the source, which resumes from the checkpoint in the shared store: alerts
// read again after a crash are de-duplicated (JetStream's message id, then the alert key).
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import type { Metrics } from '../metrics.js';
import { Poller } from '../poller.js';
import type { Source } from '../sources/source.js';
import type { LeaderElection } from './leases.js';

export type SourceState = 'reading' | 'standby';

export class LeasedSource implements Source {
  private inner?: Source;
  private readonly poller: Poller;
  /** Wakes the poller when the local validity of the holding runs out, so a lapsed holder stops at once. */
  private lapse?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly election: LeaderElection,
    /** Builds the source afresh for each holding (its position is read from the store at its start). */
    private readonly create: () => Source,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
    /** How often the lease is renewed or sought (ms): a third of its lifetime. */
    renewEvery = 1000,
    private readonly clock: Clock = systemClock,
  ) {
    this.poller = new Poller(() => this.pass(), {
      every: renewEvery,
      delayFirst: true,
      onError: (err) => log.warn({ err, lease: election.name }, 'source lease: renewal failed; trying again'),
    });
  }

  get name(): string {
    return this.election.name;
  }

  get state(): SourceState {
    return this.inner ? 'reading' : 'standby';
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.pass().catch((err) => this.log.warn({ err, lease: this.name }, 'source lease: could not be sought; trying again'));
    this.poller.start();
  }

  /** Stops reading (the pass in hand finishes and checkpoints) and releases the lease for another node. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.lapse);
    await this.poller.stop();
    await this.follow(false);
    await this.election.stop();
  }

  /** Renews or seeks the lease, then reads or stands by as it says; also when the store did not answer. */
  private async pass(): Promise<void> {
    try {
      await this.election.tick();
    } finally {
      if (!this.stopped) await this.follow(this.election.isLeader());
    }
  }

  private async follow(leading: boolean): Promise<void> {
    clearTimeout(this.lapse);
    if (leading && !this.inner) {
      const lease = this.election.lease;
      this.log.info({ lease: this.name, token: lease?.token }, 'source taken: this node reads it now');
      this.inner = this.create();
      await this.inner.start();
    } else if (!leading && this.inner) {
      const inner = this.inner;
      this.inner = undefined;
      this.log.info({ lease: this.name }, this.stopped ? 'source released: another node may read it now' : 'source lost: another node reads it; standing by');
      await inner.stop();
    }
    this.metrics?.clusterSourceReading.set({ source: this.name }, this.inner ? 1 : 0);
    const lease = this.election.lease;
    if (this.inner && lease) {
      this.lapse = setTimeout(() => this.poller.wake(), Math.max(0, lease.validUntil - this.clock()) + 1);
      this.lapse.unref();
    }
  }
}

// How far the pipeline is behind ingestion: alerts recorded but not yet processed. Sources ask it before taking
// more in, so a flood waits in Wazuh's own files and queues rather than in Vigil's memory.
import { systemClock, type Clock } from '../clock.js';
import type { Kysely } from 'kysely';
import { alertsHead } from '../store/alerts.js';
import type { Database } from '../store/schema.js';

/** Re-reading the head of the alerts table at most this often keeps the check cheap on the hot path. */
const REFRESH_MS = 100;

export class Backlog {
  private head = 0;
  private checkedAt = 0;
  private pending?: Promise<number>;

  constructor(
    private readonly db: Kysely<Database>,
    /** Sequence number of the last alert the pipeline handled. */
    private readonly position: () => number,
    readonly max: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Alerts recorded but not yet processed (as of the last check). */
  get size(): number {
    return Math.max(0, this.head - this.position());
  }

  /** True when the backlog is above the bound; re-reads the head when the last check is stale. */
  async behind(): Promise<boolean> {
    if (this.clock() - this.checkedAt >= REFRESH_MS) await this.refresh();
    return this.size > this.max;
  }

  async refresh(): Promise<number> {
    this.pending ??= alertsHead(this.db)
      .then((head) => {
        this.head = head;
        this.checkedAt = this.clock();
        return this.head;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}

// The retention job: on the shared Poller, every retention.interval (and again at once while a batch came back
// full), one small batch per table, each in its own short transaction, so ingest and the pipeline wait at most
// one batch behind it. Then SQLite hands freed pages back to the file system (incremental vacuum) and the disk
// gauge is read, with a warning as it nears the configured ceiling. A restart in the middle loses nothing: each
// batch commits whole (with the raw-alert purge's cursor), and the next pass carries on.
import { systemClock, type Clock } from '../clock.js';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { RetentionConfig } from '../config/store.js';
import { Poller } from '../poller.js';
import type { OpenedDb } from '../store/db.js';
import { diskUsage } from '../store/disk.js';
import { purgeAlerts, purgeAudit, purgeExpired, purgeIncidents, purgeOutbox, purgeQuarantine, purgeUnfoldedDetections, type PurgeBatch } from './purges.js';

export interface RetentionMetrics {
  deleted(table: string, n: number): void;
  disk(bytes: number, warning: boolean): void;
}

export interface RetentionOptions extends RetentionConfig {
  /** Alerts younger than this are never purged, whatever retention.alerts says: restart recovery replays them. */
  warmWindow: number;
  /**
   * Purges of tables whose age comes from another section (the risk events expire with `risk.window`): each
   * deletes one batch of at most `batch` rows older than what it knows, given the time of the pass.
   */
  more?: ((now: number, batch: number) => Promise<PurgeBatch>)[];
}

/** Most raw-alert batches one pass deletes before it lets the other kinds have their turn. */
const ALERT_BATCHES_PER_PASS = 20;

/** Largest raw-alert batch, as a multiple of retention.batch, while the purge catches up. */
const MAX_ALERT_BATCH_FACTOR = 16;

/** Pages returned to the file system per pass (SQLite, auto_vacuum incremental; 16 KB each). */
const VACUUM_PAGES = 512;

export class RetentionJob {
  private readonly poller: Poller;
  private warned = false;
  /** Rows per raw-alert batch: retention.batch, more while the purge is behind. */
  private alertBatch: number;
  /** Bytes the store used at the last reading. */
  diskBytes = 0;
  /** Rows deleted since start, by table. */
  readonly totals: Record<string, number> = {};

  constructor(
    private readonly store: OpenedDb,
    private readonly options: RetentionOptions,
    private readonly log: Logger,
    private readonly now: Clock = systemClock,
    private readonly metrics?: RetentionMetrics,
    /** Whether this node purges now: several nodes on one store purge on the leader only (all measure). */
    private readonly leads: () => boolean = () => true,
  ) {
    this.alertBatch = options.batch;
    this.poller = new Poller(() => this.pass(), {
      every: options.interval,
      untilIdle: true,
      // The first pass waits: start-up (recovery, warming) goes first.
      delayFirst: true,
      unref: true,
      onError: (err) => log.error({ err }, 'retention pass failed; trying again at the next interval'),
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** One pass: a batch of each kind; returns true when some kind had more (the poller runs again at once). */
  async pass(now = this.now()): Promise<boolean> {
    if (!this.leads()) {
      await this.measure();
      return false;
    }
    const db = this.store.db;
    const o = this.options;
    const steps: (() => Promise<PurgeBatch>)[] = [
      // Incidents carry many rows each: fewer per batch keeps the transaction as short as the others.
      () => purgeIncidents(db, now - o.incidents, Math.max(1, Math.floor(o.batch / 20))),
      () => purgeUnfoldedDetections(db, now - o.detections, Math.max(1, Math.floor(o.batch / 5))),
      () => purgeOutbox(db, now - o.outbox, o.batch),
      () => purgeAudit(db, now - o.audit, o.batch),
      () => purgeQuarantine(db, now - o.quarantine, o.batch),
      () => purgeExpired(db, now, o.batch),
      ...(o.more ?? []).map((purge) => () => purge(now, o.batch)),
    ];
    let more = false;
    let deleted = 0;
    const count = (r: PurgeBatch) => {
      more ||= r.more;
      for (const [table, n] of Object.entries(r.deleted)) {
        if (!n) continue;
        deleted += n;
        this.totals[table] = (this.totals[table] ?? 0) + n;
        this.metrics?.deleted(table, n);
      }
    };
    // Raw alerts arrive fastest: several batches per pass (each its own transaction, so ingest goes between
    // them) let the purge keep pace with a busy ingest.
    let behind = true;
    for (let i = 0; i < ALERT_BATCHES_PER_PASS && behind; i++) {
      const r = await purgeAlerts(db, now - Math.max(o.alerts, o.warmWindow), this.alertBatch);
      count(r);
      behind = r.more;
    }
    // Still behind after a whole pass: larger batches (fewer commits) until it catches up, then small again.
    this.alertBatch = behind ? Math.min(this.alertBatch * 2, o.batch * MAX_ALERT_BATCH_FACTOR) : o.batch;
    for (const step of steps) count(await step());
    if (this.store.dialect === 'sqlite') await this.vacuum();
    await this.measure();
    return more;
  }

  /**
   * Returns free pages to the file system, a bounded number per pass, once they are more than an eighth of the
   * file: fewer are left for new rows to reuse, which is cheaper than moving pages (what incremental vacuum does).
   */
  private async vacuum(): Promise<void> {
    const db = this.store.db;
    const pragma = async (name: string) => Number(Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] ?? {})[0] ?? 0);
    const free = await pragma('freelist_count');
    if (free > 0 && free * 8 > (await pragma('page_count'))) await sql.raw(`pragma incremental_vacuum(${VACUUM_PAGES})`).execute(db);
  }

  /** Runs passes until nothing is left to delete (tests, the soak benchmark). */
  async drain(now?: number): Promise<void> {
    while (await this.pass(now));
  }

  async measure(): Promise<number> {
    this.diskBytes = await diskUsage(this.store);
    const ceiling = this.options.diskCeiling;
    const warning = ceiling > 0 && this.diskBytes >= ceiling * this.options.diskWarning;
    if (warning && !this.warned)
      this.log.warn(
        { bytes: this.diskBytes, ceiling },
        `the store uses ${mb(this.diskBytes)} of its ${mb(ceiling)} ceiling (retention.diskCeiling): shorten retention or give it more disk`,
      );
    else if (!warning && this.warned) this.log.info({ bytes: this.diskBytes, ceiling }, 'the store is back under its disk warning level');
    this.warned = warning;
    this.metrics?.disk(this.diskBytes, warning);
    return this.diskBytes;
  }
}

const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;


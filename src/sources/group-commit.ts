// Group commit: batches that arrive while a transaction is being written wait and go together in the next one.
// Every caller still resolves only after its own alerts are durable, but many concurrent small requests (one
// alert per POST from integratord) cost one commit between them instead of one each.
import type { Kysely } from 'kysely';
import { systemClock, type Clock } from '../clock.js';
import { recordAlertBatches, type AlertRecord, type BatchResult } from '../store/alerts.js';
import { committedFirst, type Durability } from '../store/durability.js';
import type { Database } from '../store/schema.js';

/** Counts, and the sequence number of each record (null: a duplicate). */
export type RecordResult = BatchResult;

interface Waiting {
  batch: AlertRecord[];
  resolve(r: RecordResult): void;
  reject(err: unknown): void;
}

/** Most alerts written in one transaction; more wait for the next. */
const MAX_ALERTS = 20_000;
/**
 * Longest a transaction waits for the callers expected back (see `expected`) before it starts with whoever has
 * come: short beside the fsync every caller waits for anyway.
 */
const GATHER_MS = 1;

export class GroupCommit {
  private waiting: Waiting[] = [];
  /** The alerts of the waiting batches, together. */
  private waitingAlerts = 0;
  private writing = false;
  /**
   * Callers expected back soon: those the last commit answered and those still waiting then. Senders that each
   * wait for their answer before they send again (ten integratord scripts, ten POSTs in flight) come back over a
   * few turns of the event loop after a commit; a transaction started at the first of them had taken half of
   * them and left the rest to the next commit, and fsync. One caller alone is never held back.
   */
  private expected = 1;
  private gathering?: NodeJS.Timeout;

  constructor(
    private readonly db: Kysely<Database>,
    /**
     * Called once per commit, with the batches in commit (sequence) order, as soon as they are committed: before
     * they are on disk and before any caller resumes.
     */
    private readonly onCommitted?: (batches: AlertRecord[][], results: RecordResult[]) => void,
    /** The time recorded as each alert's receipt (retention counts from it). */
    private readonly clock: Clock = systemClock,
  ) {}

  record(batch: AlertRecord[]): Promise<RecordResult> {
    if (batch.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0, seqs: [] });
    return new Promise((resolve, reject) => {
      this.waiting.push({ batch, resolve, reject });
      this.waitingAlerts += batch.length;
      if (!this.writing) this.startSoon();
    });
  }

  /**
   * Starts the next transaction once the callers expected back are waiting, or GATHER_MS after the first one
   * came (at once when a full transaction's worth is waiting); requests that arrive while a transaction is being
   * written wait for the next one. Starting only after this turn's I/O has been read lets everything already
   * received join it.
   */
  private startSoon(): void {
    if (this.waiting.length >= this.expected || this.waitingAlerts >= MAX_ALERTS) {
      clearTimeout(this.gathering);
      this.gathering = undefined;
      this.writing = true;
      setImmediate(() => void this.write());
    } else this.gathering ??= setTimeout(() => {
      this.gathering = undefined;
      this.writing = true;
      void this.write();
    }, GATHER_MS);
  }

  private async write(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      let n = 0;
      let take = 0;
      while (take < this.waiting.length && (take === 0 || n + this.waiting[take]!.batch.length <= MAX_ALERTS)) n += this.waiting[take++]!.batch.length;
      const group = this.waiting.splice(0, take);
      this.waitingAlerts -= n;
      const batches = group.map((g) => g.batch);
      let committed: { result: RecordResult[]; durability: Durability };
      try {
        // Handed on as soon as it is committed, acknowledged once it is on disk (see ../store/durability.ts): the
        // pipeline detects while the fsync runs, and whatever it commits is durable only after these are.
        committed = await committedFirst((scope) => recordAlertBatches(this.db, batches, this.clock(), scope));
      } catch (err) {
        if (group.length === 1) group[0]!.reject(err);
        // One caller's data can fail the shared transaction: each is written again on its own, so only the
        // caller whose batch the store refuses sees the error.
        else
          for (const g of group)
            await recordAlertBatches(this.db, [g.batch], this.clock()).then(([r]) => {
              this.onCommitted?.([g.batch], [r!]);
              g.resolve(r!);
            }, g.reject);
        continue;
      }
      const { result: results, durability } = committed;
      this.onCommitted?.(batches, results);
      try {
        await durability.own;
      } catch (err) {
        // Committed but not known to be on disk: nobody is told it was recorded (a sender's retry is a duplicate).
        for (const g of group) g.reject(err);
        continue;
      }
      group.forEach((g, i) => g.resolve(results[i]!));
      this.expected = Math.max(1, Math.min(group.length + this.waiting.length, 1000));
      // Fewer waiting than are coming back: gathered as at a start.
      if (this.waiting.length > 0 && this.waiting.length < this.expected) break;
    }
    this.writing = false;
    if (this.waiting.length > 0) this.startSoon();
  }
}

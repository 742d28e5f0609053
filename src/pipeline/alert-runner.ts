// Feeds recorded alerts to the pipeline in arrival order, from the stored cursor. On start it replays the
// recent window before the cursor without effects, so an attack that spans a restart is still detected once.
// Every pass (each second, and when alerts are recorded) ends by closing the correlation windows judged at their
// close that the clock says are over, so "fewer than N in 10 minutes" is decided without waiting for a later
// alert. A window re-closed after a restart fires with the same detection id, which the store keeps once.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Event } from '../model/index.js';
import { alertsHead, readAlertsAfter, readAlertsBetween, type StoredAlert } from '../store/alerts.js';
import { getCursor, setCursor } from '../store/cursors.js';
import { StoreTroubleLog, storeTrouble } from '../store/errors.js';
import type { QuarantineRow } from '../store/quarantine.js';
import type { Database } from '../store/schema.js';
import { readRecordedAlert } from '../sources/ndjson.js';
import type { Handoff } from './handoff.js';
import type { Pipeline } from './pipeline.js';
import { Poller } from '../poller.js';
import { systemClock, type Clock } from '../clock.js';

export const PIPELINE_CURSOR = 'pipeline';
const BATCH = 1000;
/**
 * A batch that makes no detection leaves the stored cursor where it was (no transaction, no fsync) until the
 * cursor trails by this long or this many alerts: a crash then handles at most those again, which make nothing
 * again (the correlation state is rebuilt from the window before the cursor, as at any restart).
 */
const CURSOR_EVERY_MS = 1000;
const CURSOR_EVERY_ALERTS = 10_000;

export class AlertRunner {
  private readonly poller: Poller;
  /** Sequence number of the last alert handled. */
  position = 0;
  /** Alerts recorded but not yet handled, as of the last pass. */
  lag = 0;
  /** Alerts handled as intake parsed them (parse once), and alerts read back from the store and parsed again. */
  handed = 0;
  readBack = 0;
  /** The newest alert recorded before this start: read from the store even though no hand-off announced it. */
  private headAtStart = 0;
  /** The position the stored cursor holds (at least), and when it was written (performance.now()). */
  private saved = 0;
  private savedAt = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly pipeline: Pipeline,
    private readonly log: Logger,
    /** How far back to replay on start: the longest correlation timespan plus the lateness allowance. */
    private readonly warmWindowMs: number,
    private readonly clock: Clock = systemClock,
    /** The events intake parsed, by sequence number (parse once); without it every alert is read back. */
    private readonly handoff?: Handoff,
  ) {
    // A full or unreachable store is said once (every ten minutes while it lasts), not once a second.
    const troubles = new StoreTroubleLog('the pipeline retries every second');
    const onError = (err: unknown) => {
      const trouble = storeTrouble(err);
      if (trouble) troubles.report(log, trouble, err);
      else log.error({ err }, 'pipeline pass failed; retrying');
    };
    this.poller = new Poller(() => this.drain(), { every: 1000, onError });
  }

  async start(): Promise<void> {
    this.position = Number((await getCursor(this.db, PIPELINE_CURSOR)) ?? 0);
    this.saved = this.position;
    this.headAtStart = await alertsHead(this.db);
    await this.warm();
    this.poller.start();
  }

  async stop(): Promise<void> {
    await this.poller.stop();
    // A pass in the middle of the poller's stop has ended: nothing moves the position now.
    while (this.passing) await this.passing.catch(() => {});
    // Not written: the next start handles those alerts again, which is safe (see CURSOR_EVERY_MS).
    await this.saveCursor(true).catch((err) => this.log.warn({ err }, 'the pipeline cursor could not be written at stop'));
  }

  /** New alerts were recorded. */
  notify(): void {
    this.poller.wake();
  }

  /**
   * Handles everything recorded so far; resolves when caught up. One pass at a time: a caller's drain while the
   * poller's pass runs waits for it and then catches up, so no alert reaches the pipeline twice.
   */
  async drain(): Promise<void> {
    while (this.passing) await this.passing.catch(() => {});
    const pass = this.pass();
    this.passing = pass;
    try {
      await pass;
    } finally {
      if (this.passing === pass) this.passing = undefined;
    }
  }

  private passing?: Promise<void>;

  /** Handles what was recorded, then closes the correlation windows the clock says are over. */
  private async pass(): Promise<void> {
    await this.handleRecorded();
    await this.pipeline.expire(this.clock());
  }

  private async handleRecorded(): Promise<void> {
    for (;;) {
      let events: Event[];
      let last: number;
      const unreadable: QuarantineRow[] = [];
      const held = this.handoff?.take(this.position, BATCH);
      if (held) {
        if (held.length === 0) return this.saveCursor(false);
        events = held.map((h) => h.event);
        last = held[held.length - 1]!.seq;
        this.handed += held.length;
      } else {
        // After a restart, or behind by more than the hand-off holds: the store has them.
        // With a hand-off, only what a commit has announced (or what was there at start): never what it is still making durable.
        const upto = this.handoff ? Math.max(this.headAtStart, this.handoff.announced) : Infinity;
        const batch = await readAlertsAfter(this.db, this.position, BATCH, upto);
        if (batch.length === 0) return this.saveCursor(false);
        events = this.toEvents(batch, unreadable);
        last = batch[batch.length - 1]!.seq;
        this.readBack += batch.length;
      }
      const due = this.cursorDue(last);
      await this.pipeline.handle(events, { name: PIPELINE_CURSOR, value: String(last), deferrable: !due }, unreadable);
      this.position = last;
      if (due) this.cursorSaved();
      this.handoff?.release(last);
    }
  }

  private cursorDue(position: number): boolean {
    return position - this.saved >= CURSOR_EVERY_ALERTS || performance.now() - this.savedAt >= CURSOR_EVERY_MS;
  }

  private cursorSaved(): void {
    this.saved = this.position;
    this.savedAt = performance.now();
  }

  /** Writes the position the pipeline has reached when the stored cursor trails it by long enough (`now`: at once). */
  private async saveCursor(now: boolean): Promise<void> {
    if (this.position <= this.saved || !(now || this.cursorDue(this.position))) return;
    await setCursor(this.db, PIPELINE_CURSOR, String(this.position));
    this.cursorSaved();
  }

  private async warm(): Promise<void> {
    let after = 0;
    let warmed = 0;
    const since = this.clock() - this.warmWindowMs;
    for (;;) {
      const batch = await readAlertsBetween(this.db, since, this.position, after, BATCH);
      if (batch.length === 0) break;
      this.pipeline.warm(this.toEvents(batch));
      warmed += batch.length;
      after = batch[batch.length - 1]!.seq;
    }
    if (warmed > 0) this.log.info({ alerts: warmed }, 'correlation state rebuilt from recent alerts');
  }

  private toEvents(batch: StoredAlert[], unreadable?: QuarantineRow[]): Event[] {
    const out: Event[] = [];
    for (const a of batch) {
      try {
        out.push(readRecordedAlert(a.body, a.format));
      } catch (err) {
        const detail = `recorded alert ${a.seq} cannot be read: ${(err as Error).message}`;
        unreadable?.push({ source: 'pipeline', reason: 'invalid', detail, size: Buffer.byteLength(a.body), sample: a.body.slice(0, 4096) });
      }
    }
    return out;
  }
}

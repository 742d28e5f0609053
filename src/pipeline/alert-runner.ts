// Feeds recorded alerts to the pipeline in arrival order, from the stored cursor. On start it replays the
// recent window before the cursor without effects, so an attack that spans a restart is still detected once.
// Every pass (each second, and when alerts are recorded) ends by closing the correlation windows judged at their
// close that the clock says are over, so "fewer than N in 10 minutes" is decided without waiting for a later
// alert. A window re-closed after a restart fires with the same detection id, which the store keeps once.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Event } from '../model/index.js';
import { alertsHead, readAlertsAfter, readAlertsBetween, type StoredAlert } from '../store/alerts.js';
import { getCursor } from '../store/cursors.js';
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
    this.headAtStart = await alertsHead(this.db);
    await this.warm();
    this.poller.start();
  }

  async stop(): Promise<void> {
    await this.poller.stop();
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
        if (held.length === 0) return;
        events = held.map((h) => h.event);
        last = held[held.length - 1]!.seq;
        this.handed += held.length;
      } else {
        // After a restart, or behind by more than the hand-off holds: the store has them.
        // With a hand-off, only what a commit has announced (or what was there at start): never what it is still making durable.
        const upto = this.handoff ? Math.max(this.headAtStart, this.handoff.announced) : Infinity;
        const batch = await readAlertsAfter(this.db, this.position, BATCH, upto);
        if (batch.length === 0) return;
        events = this.toEvents(batch, unreadable);
        last = batch[batch.length - 1]!.seq;
        this.readBack += batch.length;
      }
      await this.pipeline.handle(events, { name: PIPELINE_CURSOR, value: String(last) }, unreadable);
      this.position = last;
      this.handoff?.release(last);
    }
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

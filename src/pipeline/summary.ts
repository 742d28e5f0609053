// The LLM summary worker: incidents marked `summary_state = pending` (new, reopened or escalated ones, when
// `llm` is on) get their summary written off the critical path; the notification has already gone with the
// template summary, and the LLM's follows as a 'summary' update. A failure leaves the template standing.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import { applyChange, clock, type TriageContext } from '../triage/context.js';
import { evidenceRow } from '../triage/evidence.js';
import { incidentView, detectionsOf } from '../triage/queries.js';
import { findIncidentForChange, markSummaryFailed, pendingSummaries } from '../triage/record.js';
import { hasWaiting } from '../act/outbox.js';
import type { LlmSummarizer } from '../triage/summary/llm.js';
import { evidencePack } from '../triage/summary/pack.js';
import { Poller } from '../poller.js';
import { eventsFor } from './announce.js';
import type { EventBus } from '../events.js';

export interface SummaryStats {
  written: number;
  cached: number;
  failed: number;
}

export class SummaryWorker {
  private readonly poller: Poller;
  readonly stats: SummaryStats = { written: 0, cached: 0, failed: 0 };

  constructor(
    private readonly ctx: TriageContext,
    private readonly llm: LlmSummarizer,
    private readonly redactFields: string[],
    private readonly log: Logger,
    /** Where it says that a summary update was queued. */
    private readonly events: EventBus,
    pollMs = 2_000,
  ) {
    this.poller = new Poller(() => this.runPending(), { every: pollMs, onError: (err) => log.error({ err }, 'summary pass failed') });
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  wake(): void {
    this.poller.wake();
  }

  /** Writes every pending summary; returns how many incidents it handled. */
  async runPending(): Promise<number> {
    const db = this.ctx.db;
    let done = 0;
    for (const id of await pendingSummaries(db, 20)) {
      // The update follows the first message: while that still waits (e.g. for enrichment), so does this.
      if (await hasWaiting(db, id)) continue;
      await this.summarizeOne(db, id);
      done++;
    }
    return done;
  }

  private async summarizeOne(db: Kysely<Database>, id: string): Promise<void> {
    const view = await incidentView(db, id);
    const detections = await detectionsOf(db, id);
    const ids = detections.flatMap((d) => d.eventIds).slice(-10);
    const evidence = (await eventsFor(db, ids, new Map())).map(evidenceRow);
    const outcome = await this.llm.summarize(view.fingerprint, evidencePack(view, evidence, this.redactFields));
    const now = clock(this.ctx);
    if (!outcome.ok) {
      this.stats.failed++;
      this.log.warn({ incident: id, reason: outcome.reason, detail: outcome.detail }, 'LLM summary not written; the template summary stands');
      await markSummaryFailed(db, id);
      return;
    }
    if (outcome.cached) this.stats.cached++;
    else this.stats.written++;
    const updated = await db.transaction().execute(async (trx) => {
      const inc = await findIncidentForChange(trx, id);
      if (!inc || inc.summaryState !== 'pending') return false; // superseded meanwhile
      await applyChange(trx, { ...this.ctx, db: trx }, inc, { summary_json: JSON.stringify(outcome.summary), summary_state: 'done' }, 'summary', now);
      return true;
    });
    if (updated) this.events.emit('actionsQueued');
  }
}

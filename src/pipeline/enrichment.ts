// Wires enrichment between triage and act: a new incident's lookups are queued in its transaction and its
// notification is held until they settle or the deadline passes; answers reach the outbox payload just
// before it is sent; a verdict that raises severity after people were told sends an 'escalated' update.
import { systemClock, type Clock } from '../clock.js';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { escalationNotification, type Notification } from '../act/notification.js';
import { actionsOfIncident, enqueue, releaseWaiting } from '../act/outbox.js';
import type { EventBus } from '../events.js';
import { isResponsePayload, type OutboxPayload } from '../act/payload.js';
import type { OutboxItem } from '../act/channel.js';
import type { EnrichmentBroker } from '../enrich/broker.js';
import { indicatorsOf } from '../enrich/indicators.js';
import { enrichmentsForIncident, stillPending } from '../enrich/lookups.js';
import { applyVerdicts, type Escalation } from './verdicts.js';
import type { Detection, Incident } from '../model/index.js';
import type { Database } from '../store/schema.js';
import { refreshSummary } from './snapshot.js';
import type { AssetCriticality } from '../triage/severity.js';
import { findIncident, findIncidentForChange, setRevision } from '../triage/record.js';

export interface EnrichmentStageOptions {
  /** How long a notification waits for lookups. */
  deadline: number;
  /** Levels a malicious verdict raises an incident by. */
  raiseBy: number;
  /** Asset criticality, for the severity score triage recomputes. */
  assets?: AssetCriticality;
  clock?: Clock;
}

export class EnrichmentStage {
  private readonly clock: Clock;

  constructor(
    private readonly db: Kysely<Database>,
    readonly broker: EnrichmentBroker,
    private readonly log: Logger,
    private readonly options: EnrichmentStageOptions,
    /** Where it says that notifications became due. */
    private readonly events: EventBus,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** In the pipeline transaction: queues the lookups and returns when the notification may go. */
  async plan(trx: Kysely<Database>, incident: Incident, d: Detection, n: Notification): Promise<number> {
    const now = this.clock();
    // Only lookups that can run before the deadline hold the notification (not a spent quota, not a back-off).
    const pending = await this.broker.plan(trx, incident, indicatorsOf(d, n), now, this.options.deadline);
    return pending > 0 ? now + this.options.deadline : now;
  }

  /** Lookups settled: the notifications waiting for them may go now. */
  async release(ids: string[]): Promise<void> {
    try {
      if ((await releaseWaiting(this.db, ids, this.clock())) > 0) this.events.emit('actionsQueued');
    } catch (err) {
      this.log.error({ err }, 'releasing notifications failed');
    }
  }

  /**
   * Answers arrived: verdicts may raise severity, and people already told hear of it. A notification that waited
   * for nothing but these answers is released in the verdicts' own commit (at the level they set), so it goes
   * without another wait for the disk; the broker's release that follows finds it already due.
   */
  async answers(ids: string[]): Promise<void> {
    let queued = 0;
    for (const id of ids) {
      const now = this.clock();
      const release = async (trx: Kysely<Database>) => {
        if ((await stillPending(trx, [id], this.options.deadline)).size === 0) queued += await releaseWaiting(trx, [id], now);
      };
      const esc = await applyVerdicts(this.db, id, this.options.raiseBy, now, this.options.assets, release);
      if (esc) queued += await this.notifyEscalation(esc);
    }
    if (queued > 0) this.events.emit('actionsQueued');
  }

  /**
   * The summary says what the lookups found as soon as they find it (the dashboard reads it from the store). After
   * the release of the notifications that waited for the answers: a message rewrites the summary as it goes.
   */
  async summarise(ids: string[]): Promise<void> {
    for (const id of ids) {
      await refreshSummary(this.db, id, this.clock()).catch((err) => this.log.error({ err, incident: id }, 'rewriting the summary failed'));
    }
  }

  /**
   * People who were already told hear of the raise; a notification still waiting simply goes out with the
   * new level (prepare reads it), so nobody gets two messages for one incident in its first seconds.
   */
  private async notifyEscalation(esc: Escalation): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // Locked and read again: another node may have moved its revision since the escalation was worked out.
      const current = (await findIncidentForChange(trx, esc.incident.id)) ?? esc.incident;
      const rows = await actionsOfIncident(trx, esc.incident.id);
      const told = rows.some((r) => r.state !== 'pending' || r.attempts > 0);
      if (!told) return 0;
      const revision = Math.max(current.revision, ...rows.map((r) => r.revision)) + 1;
      const now = this.clock();
      await setRevision(trx, esc.incident.id, revision, now);
      const incident = { ...esc.incident, revision };
      const channels = [...new Set(rows.map((r) => r.channel))];
      for (const channel of channels) {
        const previous = rows.find((r) => r.channel === channel)!.payload;
        if (isResponsePayload(previous)) continue;
        const payload = escalationNotification(previous, incident, { from: esc.from, to: esc.to, reasons: esc.reasons });
        await enqueue(trx, { channel, incidentId: incident.id, revision, payload }, now);
      }
      this.log.info({ incident: incident.id, from: esc.from, to: esc.to }, 'incident escalated by enrichment');
      return channels.length;
    });
  }
}

// detect → triage → act for one batch of events. Detections, incident changes, outbox rows and the input
// cursor commit in one transaction, so a crash leaves either all of a batch's effects or none.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Actions } from '../act/actions.js';
import type { Detector } from '../detect/detector.js';
import type { Detection, Event, Incident, IncidentChange } from '../model/index.js';
import type { Notification } from '../act/notification.js';
import { setCursor } from '../store/cursors.js';
import type { RuleModes } from '../store/rule-modes.js';
import type { Database } from '../store/schema.js';
import { triage, type TriageOptions } from '../triage/incidents.js';

export interface PipelineOptions {
  /** The act stage: turns an incident change into outbox rows by the playbooks. */
  actions: Actions;
  triage: TriageOptions;
  /** Analyst-set rule modes: a disabled rule's detections are dropped, a shadowed one's only counted. */
  ruleModes?: RuleModes;
  /** Queues a new incident's lookups (in the transaction); returns when its notification may go. */
  enrich?: { plan(trx: Kysely<Database>, incident: Incident, d: Detection, n: Notification): Promise<number> };
}

export interface Cursor {
  name: string;
  value: string;
}

export class Pipeline {
  /** Called for every new detection after its batch commits (replay prints from here). */
  onDetection?: (d: Detection) => void;
  /** Called after a batch that enqueued actions commits (the outbox worker wakes). */
  onActions?: () => void;
  /** Called after a batch that opened incidents commits (the enrichment broker wakes). */
  onIncidents?: () => void;

  constructor(
    private readonly db: Kysely<Database>,
    readonly detector: Detector,
    private readonly log: Logger,
    private readonly options: PipelineOptions,
  ) {}

  /** Runs detection over events without effects: rebuilds correlation state after a restart. */
  warm(events: Event[]): void {
    for (const e of events) this.detector.process(e);
  }

  async handle(events: Event[], cursor?: Cursor): Promise<Detection[]> {
    const detections: Detection[] = [];
    for (const e of events) for (const d of this.detector.process(e)) detections.push(d);
    if (detections.length === 0 && !cursor) return [];
    const fresh: Detection[] = [];
    let actions = 0;
    let opened = 0;
    await this.db.transaction().execute(async (trx) => {
      for (const d of detections) {
        const mode = this.options.ruleModes?.mode(d.rule.id) ?? 'enabled';
        if (mode === 'disabled') continue;
        if (mode === 'shadow') {
          await this.options.ruleModes!.countShadow(trx, d.rule.id);
          continue;
        }
        // Detection ids are deterministic: one seen before (a replayed window) has had its effects already.
        const inserted = await trx
          .insertInto('detections')
          .values({
            id: d.id,
            rule_id: d.rule.id,
            rule_title: d.rule.title,
            level: d.rule.level,
            time: d.time,
            first_time: d.firstTime,
            group_json: JSON.stringify(d.group),
            count: d.count,
            event_ids_json: JSON.stringify(d.eventIds),
            rule_json: JSON.stringify(d.rule),
            incident_id: null,
            created_at: Date.now(),
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) continue;
        fresh.push(d);
        const result = await triage(trx, d, this.options.triage);
        const { incident, notify } = result;
        await trx.updateTable('detections').set({ incident_id: incident.id }).where('id', '=', d.id).execute();
        if (notify) {
          const change = 'change' in result ? (result.change as IncidentChange) : 'opened';
          // A new incident's notifications may wait for its enrichment (up to the deadline).
          const enrich = change === 'opened' || change === 'reopened' ? this.options.enrich : undefined;
          if (enrich) opened++;
          actions += await this.options.actions.schedule(trx, { incident, change, detection: d }, Date.now(), enrich && ((n) => enrich.plan(trx, incident, d, n)));
        }
      }
      if (cursor) await setCursor(trx, cursor.name, cursor.value);
    });
    for (const d of fresh) {
      this.log.info({ rule: d.rule.id, title: d.rule.title, group: d.group, count: d.count }, 'detection');
      this.onDetection?.(d);
    }
    if (actions > 0) this.onActions?.();
    if (opened > 0) this.onIncidents?.();
    return fresh;
  }
}

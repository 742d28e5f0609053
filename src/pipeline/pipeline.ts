// detect → triage → act for one batch of events. Detections, incident changes, outbox rows and the input
// cursor commit in one transaction, so a crash leaves either all of a batch's effects or none.
import { systemClock, type Clock } from '../clock.js';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Actions } from '../act/actions.js';
import type { Detector } from '../detect/detector.js';
import type { Detection, Event } from '../model/index.js';
import { setCursor } from '../store/cursors.js';
import type { RuleModes } from '../store/rule-modes.js';
import type { Database } from '../store/schema.js';
import type { TriageContext } from '../triage/context.js';
import { extendIncident, triage, type TriageOptions, type TriageOutcome } from '../triage/incidents.js';
import { Announcer, type EnrichPlan } from './announce.js';

export interface PipelineOptions {
  /** The act stage: turns an incident change into outbox rows by the playbooks. */
  actions: Actions;
  triage: TriageOptions;
  /** Analyst-set rule modes: a disabled rule's detections are dropped, a shadowed one's only counted. */
  ruleModes?: RuleModes;
  /** Queues a new incident's lookups (in the transaction); returns when its notification may go. */
  enrich?: EnrichPlan;
  /** Clock for triage (tests inject one). */
  clock?: Clock;
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
  /** Called after a batch commits, with each fresh detection's triage outcome (the summary worker wakes). */
  onTriaged?: (outcomes: TriageOutcome[]) => void;
  readonly announcer: Announcer;
  /** What analyst actions and the lifecycle scheduler use: the same store, clock and announcer. */
  readonly triageContext: TriageContext;

  constructor(
    private readonly db: Kysely<Database>,
    readonly detector: Detector,
    private readonly log: Logger,
    private readonly options: PipelineOptions,
  ) {
    this.announcer = new Announcer(options.actions, options.enrich, options.clock ?? systemClock);
    this.triageContext = { db, clock: options.clock, announce: this.announcer.announce };
  }

  /** Runs detection over events without effects: rebuilds correlation state after a restart. */
  warm(events: Event[]): void {
    for (const e of events) this.detector.process(e);
    this.detector.takeContinuations(); // their incidents counted them before the restart
  }

  async handle(events: Event[], cursor?: Cursor): Promise<Detection[]> {
    const detections: Detection[] = [];
    for (const e of events) for (const d of this.detector.process(e)) detections.push(d);
    const continuations = this.detector.takeContinuations();
    if (detections.length === 0 && continuations.length === 0 && !cursor) return [];
    const fresh: Detection[] = [];
    const outcomes: TriageOutcome[] = [];
    const now = this.options.clock ?? systemClock;
    this.announcer.actions = 0;
    this.announcer.enrichPlanned = 0;
    for (const d of detections) for (const e of d.events) this.announcer.inHand.set(e.id, e);
    try {
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
            created_at: now(),
            suppression_id: null,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) continue;
        fresh.push(d);
        this.announcer.current = d;
        const outcome = await triage(trx, d, this.options.triage, { ...this.triageContext, db: trx }, now());
        this.announcer.current = undefined;
        outcomes.push(outcome);
        if ('suppressed' in outcome) await trx.updateTable('detections').set({ suppression_id: outcome.suppressed.id }).where('id', '=', d.id).execute();
      }
      // After the batch's detections, so a burst that fired and went on within one batch counts all of it.
      for (const c of continuations) {
        if ((this.options.ruleModes?.mode(c.rule.ref.id) ?? 'enabled') !== 'enabled') continue;
        await extendIncident(trx, { ruleId: c.rule.ref.id, group: c.group, count: c.count, lastTime: c.lastTime }, now());
      }
      if (cursor) await setCursor(trx, cursor.name, cursor.value);
    });
    } finally {
      this.announcer.current = undefined;
      this.announcer.inHand.clear();
    }
    for (const d of fresh) {
      this.log.info({ rule: d.rule.id, title: d.rule.title, group: d.group, count: d.count }, 'detection');
      this.onDetection?.(d);
    }
    if (this.announcer.actions > 0) this.onActions?.();
    if (this.announcer.enrichPlanned > 0) this.onIncidents?.();
    if (outcomes.length > 0) this.onTriaged?.(outcomes);
    return fresh;
  }
}

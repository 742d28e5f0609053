// Hands an incident change people should hear of to the act stage (the playbooks), inside the change's
// transaction. The act stage takes the change with a detection: the one being handled when the pipeline
// caused the change, otherwise (an analyst's resolve, auto-resolve, a summary) the incident's newest
// detection rebuilt from the store.
import { systemClock, type Clock } from '../clock.js';
import type { Kysely } from 'kysely';
import type { Actions } from '../act/actions.js';
import { buildNotification, type Notification } from '../act/notification.js';
import type { Detection, Event, Incident } from '../model/index.js';
import { readRecordedAlert } from '../sources/ndjson.js';
import { alertsByEventIds } from '../store/alerts.js';
import type { Database } from '../store/schema.js';
import type { Announce } from '../triage/context.js';
import { fingerprintOf, linkable } from '../triage/incidents.js';
import { foldInto, strongerOpenIncident } from '../triage/record.js';
import { detectionsOf, incidentView, type IncidentView } from '../triage/queries.js';
import { NO_ASSETS, type AssetCriticality } from '../triage/severity.js';
import type { StrongerIncident } from '../act/playbooks/plan.js';

/** Events for ids: those in hand (the batch being handled), else read back from the recorded alerts. */
export async function eventsFor(db: Kysely<Database>, ids: string[], inHand: Map<string, Event>): Promise<Event[]> {
  const found = new Map<string, Event>();
  const missing: string[] = [];
  for (const id of ids) {
    const e = inHand.get(id);
    if (e) found.set(id, e);
    else missing.push(id);
  }
  for (let i = 0; i < missing.length; i += 500) {
    for (const a of await alertsByEventIds(db, missing.slice(i, i + 500))) {
      try {
        found.set(a.eventId, readRecordedAlert(a.body, a.format));
      } catch {
        // an unreadable recorded alert is reported by the runner; the message goes without it
      }
    }
  }
  return ids.map((id) => found.get(id)).filter((e): e is Event => e !== undefined);
}

/** The incident's newest detection, with its events, as the act stage takes it. */
export async function storedDetection(db: Kysely<Database>, incident: Incident, inHand: Map<string, Event>): Promise<Detection> {
  const all = await detectionsOf(db, incident.id);
  const last = all[all.length - 1];
  if (!last) {
    return { id: '', rule: { id: incident.ruleId, title: incident.title, level: incident.level, tags: [] }, time: incident.lastSeen, firstTime: incident.firstSeen, group: incident.entity, count: incident.eventCount, eventIds: [], events: [] };
  }
  return { ...last, events: await eventsFor(db, last.eventIds, inHand) };
}

export interface EnrichPlan {
  plan(trx: Kysely<Database>, incident: Incident, d: Detection, n: Notification): Promise<number>;
}

export class Announcer {
  /** The detection being triaged (set by the pipeline around each call). */
  current?: Detection;
  /** Events of the batch being handled (their alerts may not be recorded, as in replay). */
  readonly inHand = new Map<string, Event>();
  /** Outbox rows added and incidents given lookups since the counters were last reset. */
  actions = 0;
  enrichPlanned = 0;

  constructor(
    private readonly actionsStage: Actions,
    private readonly enrich: EnrichPlan | undefined,
    private readonly clock: Clock,
    /** Asset criticality: a common account name ties two incidents only when it is critical (inhibition). */
    private readonly assets: AssetCriticality = NO_ASSETS,
  ) {}

  /**
   * When a playbook inhibits: the strongest other open incident whose entity shares one of this one's (an
   * address, user or host of the kinds it names), at least the lowest level any playbook inhibits by, scoring
   * higher than this one.
   */
  private async stronger(trx: Kysely<Database>, incident: IncidentView): Promise<StrongerIncident | undefined> {
    const inhibition = this.actionsStage.inhibition;
    if (!inhibition) return undefined;
    const kinds = new Set<string>(inhibition.on);
    const shared = linkable(incident.indicators.filter((i) => i.role === 'entity' && kinds.has(i.kind)), this.assets);
    return strongerOpenIncident(trx, incident.id, shared, inhibition.level, incident.severity.score);
  }

  readonly announce: Announce = async (trx, result) => {
    const cur = this.current && fingerprintOf(this.current) === result.incident.fingerprint ? this.current : undefined;
    const detection = cur ?? (await storedDetection(trx, result.incident, this.inHand));
    const incident = await incidentView(trx, result.incident.id);
    const change = result.change;
    // A new or reopened incident's notifications may wait for its enrichment (up to the deadline).
    const enrich = cur && (change === 'opened' || change === 'reopened') ? this.enrich : undefined;
    // Lookups belong to the incident, not to its notification: they are planned whether or not a playbook
    // notifies anyone; a notification that does go waits for them (up to the deadline).
    let notBefore: number | undefined;
    if (enrich) {
      this.enrichPlanned++;
      notBefore = await enrich.plan(trx, incident, detection, buildNotification(incident, detection));
    }
    const stronger = await this.stronger(trx, incident);
    const done = await this.actionsStage.schedule(trx, { incident, change, detection, stronger }, this.clock(), notBefore === undefined ? undefined : async () => notBefore);
    this.actions += done.rows;
    // Folded: the weaker incident is linked into the stronger one, which people do hear of.
    if (done.stronger && done.inhibited.some((i) => i.mode === 'fold')) {
      const s = done.stronger;
      await foldInto(trx, incident.id, s.id, `folded into the ${s.level} incident (same ${s.shared.kind === 'ip' ? 'address' : s.shared.kind} ${s.shared.value})`, this.clock());
    }
  };
}

// The act stage's entry: for an incident change, the playbooks' actions become outbox rows (and block
// requests) inside the pipeline's transaction, so they exist exactly when the change does.
import { systemClock } from '../clock.js';
import type { Kysely } from 'kysely';
import type { Playbook } from '../config/playbooks.js';
import type { Detection, Incident, IncidentChange } from '../model/index.js';
import type { Database } from '../store/schema.js';
import { buildNotification, type ApprovalLink, type Notification } from './notification.js';
import { enqueue } from './outbox.js';
import { inhibitionFloor, planActions, type Inhibited, type PlannedAction, type StrongerIncident } from './playbooks/plan.js';
import { audit } from '../store/audit.js';
import type { ResponseService } from './response/service.js';
import { alertView } from '../model/wcs.js';

export interface ActInput {
  incident: Incident;
  change: IncidentChange;
  detection: Detection;
  /** The strongest other open incident of the same entity (looked up only when a playbook inhibits). */
  stronger?: StrongerIncident;
}

export interface Scheduled {
  /** Outbox rows added (and automatic blocks queued). */
  rows: number;
  /** Playbooks whose notifications the stronger incident held back. */
  inhibited: Inhibited[];
  stronger?: StrongerIncident;
}

/** The audit action that says an incident's messages were held back, and by what (the incident page shows it). */
export const INHIBITED_ACTION = 'notification.inhibited';

/** The agents whose events make up a detection: where a block takes effect. */
export function affectedAgents(d: Detection): string[] {
  const ids = new Set<string>();
  for (const e of d.events) {
    const id = (alertView(e) as { agent?: { id?: unknown } })?.agent?.id;
    if (typeof id === 'string' && /^\d{3,}$/.test(id)) ids.add(id);
  }
  return [...ids];
}

export class Actions {
  /** What inhibition needs looked up (the lowest level that inhibits, on which entities); undefined: no playbook inhibits. */
  readonly inhibition: ReturnType<typeof inhibitionFloor>;

  constructor(
    private readonly playbooks: Playbook[],
    private readonly responses?: ResponseService,
  ) {
    this.inhibition = inhibitionFloor(playbooks);
  }

  /**
   * Queues what the playbooks say for this change; says how many outbox rows it added and what inhibition held
   * back (audited on the incident). `hold` may delay the notifications (enrichment planning its lookups returns
   * when they may go).
   */
  async schedule(trx: Kysely<Database>, input: ActInput, now = systemClock(), hold?: (n: Notification) => Promise<number | undefined>): Promise<Scheduled> {
    const { incident, change, detection } = input;
    const plan = planActions(this.playbooks, { incident, rule: detection.rule, change, time: detection.time, stronger: input.stronger });
    const { inhibited, stronger } = plan;
    if (inhibited.length > 0 && stronger) {
      const mode = inhibited.some((i) => i.mode === 'fold') ? 'folded' : 'silenced';
      await audit(
        trx,
        {
          actor: 'system',
          action: INHIBITED_ACTION,
          target: `incident:${incident.id}`,
          result: mode,
          details: { by: stronger.id, title: stronger.title, level: stronger.level, score: stronger.score, shared: stronger.shared, change, playbooks: inhibited.map((i) => i.playbook), channels: [...new Set(inhibited.flatMap((i) => i.channels))] },
        },
        now,
      );
    }
    if (plan.actions.length === 0) return { rows: 0, inhibited, stronger };
    const notification = { ...buildNotification(incident, detection), change };
    const approvals: ApprovalLink[] = [];
    let rows = 0;
    for (const a of plan.actions) {
      // A summary update (possibly written by an LLM) only informs: it never requests a response.
      if (!('block' in a) || !this.responses || change === 'summary') continue;
      const agents = a.block.agents === 'affected' ? affectedAgents(detection) : a.block.agents;
      for (const address of notification.sourceIps) {
        const link = await this.responses.request(trx, { incidentId: incident.id, playbook: a.playbook, address, agents, mode: a.block.mode }, now);
        if (link) approvals.push(link);
      }
    }
    if (approvals.length > 0) notification.approvals = approvals;
    const notifies = plan.actions.filter((a): a is Extract<PlannedAction, { notify: string }> => 'notify' in a);
    const notBefore = notifies.length > 0 && hold ? await hold(notification) : undefined;
    for (const a of notifies) {
      const payload: Notification = a.comments ? { ...notification, includeComments: true } : notification;
      if (await enqueue(trx, { channel: a.notify, incidentId: incident.id, revision: incident.revision, payload, notBefore }, now)) rows++;
    }
    // Automatic blocks were queued by the response service; count them so the worker wakes.
    return { rows: rows + plan.actions.filter((a) => 'block' in a && a.block.mode === 'automatic').length, inhibited, stronger };
  }
}

// What an analyst does to an incident: acknowledge, assign, resolve, reopen, give a verdict. Each is one
// transaction that changes the incident, writes the audit log and (for resolve and reopen) tells people.
import type { Kysely, Updateable } from 'kysely';
import type { IncidentChange, IncidentStatus, Indicator } from '../model/index.js';
import { audit } from '../store/audit.js';
import type { Database, IncidentTable } from '../store/schema.js';
import { applyChange, clock, type TriageContext } from './context.js';
import { indicatorsOfIncident, requireIncidentForChange } from './record.js';
import { createSuppression, type Suppression } from './suppressions.js';
import { TriageError, VERDICTS, type Actor, type ChangeResult, type IncidentRecord, type Verdict } from './types.js';

const target = (id: string) => `incident:${id}`;

function needActor(who: Actor): void {
  if (!who || typeof who.actor !== 'string' || who.actor.trim() === '') throw new TriageError('invalid', 'an actor is required');
}

async function inTx<T>(ctx: TriageContext, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return ctx.db.transaction().execute(fn);
}

/**
 * Moves an incident out of status `from` in one transaction: the patch (given the moment), the change it is
 * (which decides whether people hear of it), and the audit row `action`.
 */
async function transition(
  ctx: TriageContext,
  id: string,
  who: Actor,
  from: IncidentStatus,
  to: { patch: (now: number) => Updateable<IncidentTable>; change: IncidentChange; action: string },
): Promise<IncidentRecord> {
  needActor(who);
  const now = clock(ctx);
  return inTx(ctx, async (trx) => {
    const inc = await requireIncidentForChange(trx, id);
    if (inc.status !== from) throw new TriageError('conflict', `incident ${id} is ${inc.status}, not ${from}`);
    const r = await applyChange(trx, ctx, inc, to.patch(now), to.change, now);
    await audit(trx, { actor: who.actor, action: to.action, target: target(id), result: 'ok', details: { comment: who.comment } }, now);
    return r.incident;
  });
}

/** open → acknowledged: someone is looking. Quiet: nobody else needs a message for it. */
export async function acknowledge(ctx: TriageContext, id: string, who: Actor): Promise<IncidentRecord> {
  return transition(ctx, id, who, 'open', {
    patch: (now) => ({ status: 'acknowledged', acknowledged_at: now, acknowledged_by: who.actor }),
    change: 'updated',
    action: 'incident.acknowledge',
  });
}

/** Sets (or with null clears) who works the incident. */
export async function assign(ctx: TriageContext, id: string, assignee: string | null, who: Actor): Promise<IncidentRecord> {
  needActor(who);
  if (assignee !== null && (typeof assignee !== 'string' || assignee.trim() === '')) throw new TriageError('invalid', 'assignee must be a name or null');
  const now = clock(ctx);
  return inTx(ctx, async (trx) => {
    const inc = await requireIncidentForChange(trx, id);
    const r = await applyChange(trx, ctx, inc, { assignee: assignee?.trim() ?? null }, 'updated', now);
    await audit(trx, { actor: who.actor, action: 'incident.assign', target: target(id), result: 'ok', details: { assignee, previous: inc.assignee ?? null } }, now);
    return r.incident;
  });
}

/** Closes an incident (an analyst's decision, a verdict, or the quiet period) and tells people. */
export async function resolveIn(
  trx: Kysely<Database>,
  ctx: TriageContext,
  inc: IncidentRecord,
  who: Actor,
  resolution: string,
  now: number,
): Promise<ChangeResult> {
  if (inc.status === 'resolved') throw new TriageError('conflict', `incident ${inc.id} is already resolved`);
  const patch = { status: 'resolved', resolved_at: now, resolution, resolved_by: who.actor, resolution_comment: who.comment?.trim() || null };
  const r = await applyChange(trx, ctx, inc, patch, 'resolved', now);
  await audit(trx, { actor: who.actor, action: 'incident.resolve', target: target(inc.id), result: 'ok', details: { resolution, comment: who.comment } }, now);
  return r;
}

export async function resolve(ctx: TriageContext, id: string, who: Actor): Promise<IncidentRecord> {
  needActor(who);
  const now = clock(ctx);
  return inTx(ctx, async (trx) => (await resolveIn(trx, ctx, await requireIncidentForChange(trx, id), who, 'analyst', now)).incident);
}

export async function reopen(ctx: TriageContext, id: string, who: Actor): Promise<IncidentRecord> {
  return transition(ctx, id, who, 'resolved', {
    patch: () => ({ status: 'open', resolved_at: null, resolution: null, resolved_by: null, resolution_comment: null, acknowledged_at: null, acknowledged_by: null }),
    change: 'reopened',
    action: 'incident.reopen',
  });
}

export interface VerdictInput extends Actor {
  verdict: Verdict;
  comment: string;
  /**
   * With a false-positive verdict: also suppress this rule for the incident's entity (each entity
   * indicator), for `expiresInMs` (omitted: never expires).
   */
  suppress?: { expiresInMs?: number; reason?: string; anyRule?: boolean };
}

export interface VerdictResult {
  incident: IncidentRecord;
  suppressions: Suppression[];
}

/**
 * Records the analyst's verdict. A false positive or benign verdict also resolves the incident; a true
 * positive leaves its status as it is. The verdict is data only: it changes no rule and runs no response.
 */
export async function setVerdict(ctx: TriageContext, id: string, input: VerdictInput): Promise<VerdictResult> {
  needActor(input);
  if (!VERDICTS.includes(input.verdict)) throw new TriageError('invalid', `verdict must be one of ${VERDICTS.join(', ')}`);
  if (typeof input.comment !== 'string' || input.comment.trim() === '') throw new TriageError('invalid', 'a verdict needs a comment');
  if (input.suppress && input.verdict !== 'false_positive') throw new TriageError('invalid', 'only a false-positive verdict can create a suppression');
  const now = clock(ctx);
  return inTx(ctx, async (trx) => {
    let inc = await requireIncidentForChange(trx, id);
    const patch = { verdict: input.verdict, verdict_comment: input.comment.trim(), verdict_by: input.actor, verdict_at: now };
    inc = (await applyChange(trx, ctx, inc, patch, 'updated', now)).incident;
    await audit(trx, { actor: input.actor, action: 'incident.verdict', target: target(id), result: 'ok', details: { verdict: input.verdict, comment: input.comment } }, now);
    if (input.verdict !== 'true_positive' && inc.status !== 'resolved') {
      inc = (await resolveIn(trx, ctx, inc, { actor: input.actor, comment: input.comment }, input.verdict, now)).incident;
    }
    const suppressions: Suppression[] = [];
    if (input.suppress) {
      const entity: Indicator[] = (await indicatorsOfIncident(trx, id)).filter((i) => i.role === 'entity');
      if (entity.length === 0) throw new TriageError('invalid', `incident ${id} has no entity to suppress`);
      for (const indicator of entity) {
        suppressions.push(
          await createSuppression(
            ctx,
            {
              ruleId: input.suppress.anyRule ? null : inc.ruleId,
              indicator: { kind: indicator.kind, value: indicator.value },
              reason: input.suppress.reason?.trim() || `false positive: ${input.comment.trim()}`,
              expiresAt: input.suppress.expiresInMs ? now + input.suppress.expiresInMs : null,
              actor: input.actor,
              incidentId: id,
            },
            trx,
          ),
        );
      }
    }
    return { incident: inc, suppressions };
  });
}

// What triage's domain functions need from the running Vigil: the store, a clock (injected in tests) and a
// way to tell people of a change. Triage does not know channels or playbooks; the assembly passes `announce`,
// which enqueues actions in the same transaction as the change.
import { systemClock, type Clock } from '../clock.js';
import type { Kysely, Updateable } from 'kysely';
import type { IncidentChange } from '../model/index.js';
import type { Database, IncidentTable } from '../store/schema.js';
import { findIncident, patchIncident } from './record.js';
import type { ChangeResult, IncidentRecord } from './types.js';
import type { TriageBatch } from './batch.js';

export type Announce = (trx: Kysely<Database>, result: ChangeResult) => Promise<void>;

export interface TriageContext {
  db: Kysely<Database>;
  clock?: Clock;
  announce?: Announce;
  /** The transaction's triage batch (the pipeline's): detections fold into it and it is written when the batch ends. */
  batch?: TriageBatch;
}

export const clock = (ctx: TriageContext) => (ctx.clock ?? systemClock)();

/** The changes people hear of (they bump the revision, which keys the outbox). */
export const NOTIFYING: ReadonlySet<IncidentChange> = new Set(['opened', 'escalated', 'resolved', 'reopened', 'summary']);

/**
 * Writes `patch` to an incident and records the change: a notifying change bumps the revision and is
 * announced inside the same transaction, so the action commits with the change or not at all.
 */
export async function applyChange(
  trx: Kysely<Database>,
  ctx: TriageContext,
  incident: IncidentRecord,
  patch: Updateable<IncidentTable>,
  change: IncidentChange,
  now: number,
  /** False: the caller adds more (a summary) and announces the result itself. */
  announceNow = true,
): Promise<ChangeResult> {
  const notify = NOTIFYING.has(change);
  const revision = notify ? incident.revision + 1 : incident.revision;
  await patchIncident(trx, incident.id, { ...patch, revision, updated_at: now });
  const updated = (await findIncident(trx, incident.id))!;
  const result: ChangeResult = { incident: updated, change, notify };
  if (announceNow) await announceChange(trx, ctx, result);
  return result;
}

export async function announceChange(trx: Kysely<Database>, ctx: TriageContext, result: ChangeResult): Promise<void> {
  if (result.notify) await ctx.announce?.(trx, result);
}

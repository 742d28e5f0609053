// Suppressions: "this rule (or any rule) about this indicator is known; record it, tell nobody", with a
// reason and an expiry. A detection they match is kept (with the suppression's id) but opens no incident.
import type { Kysely, Selectable } from 'kysely';
import { INDICATOR_KINDS, indicatorKey, type Indicator, type IndicatorKind } from '../model/index.js';
import { audit } from '../store/audit.js';
import type { Database, SuppressionTable } from '../store/schema.js';
import { clock, type TriageContext } from './context.js';
import { TriageError } from './types.js';

const KINDS = INDICATOR_KINDS;

export interface Suppression {
  id: number;
  /** Undefined: every rule. */
  ruleId?: string;
  indicator: Indicator;
  reason: string;
  createdBy: string;
  createdAt: number;
  /** Undefined: never expires. */
  expiresAt?: number;
  incidentId?: string;
  /** How many detections it has silenced. */
  hits: number;
  /** In force at the time it was read (by the server's clock): not expired. */
  active: boolean;
}

export interface SuppressionInput {
  ruleId?: string | null;
  indicator: Indicator;
  reason: string;
  /** Epoch ms; omitted or null: never. */
  expiresAt?: number | null;
  actor: string;
  incidentId?: string;
}

function toSuppression(r: Selectable<SuppressionTable>, now: number): Suppression {
  return {
    id: Number(r.id),
    ruleId: r.rule_id ?? undefined,
    indicator: { kind: r.indicator_kind as IndicatorKind, value: r.indicator_value },
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    expiresAt: r.expires_at === null ? undefined : Number(r.expires_at),
    incidentId: r.incident_id ?? undefined,
    hits: Number(r.hits),
    active: r.expires_at === null || Number(r.expires_at) > now,
  };
}

export async function createSuppression(ctx: TriageContext, input: SuppressionInput, trx: Kysely<Database> = ctx.db): Promise<Suppression> {
  const now = clock(ctx);
  if (!KINDS.includes(input.indicator?.kind)) throw new TriageError('invalid', `indicator.kind must be one of ${KINDS.join(', ')}`);
  if (typeof input.indicator.value !== 'string' || input.indicator.value.trim() === '') throw new TriageError('invalid', 'indicator.value is required');
  if (typeof input.reason !== 'string' || input.reason.trim() === '') throw new TriageError('invalid', 'a suppression needs a reason');
  if (input.expiresAt !== undefined && input.expiresAt !== null && !(input.expiresAt > now))
    throw new TriageError('invalid', 'expiresAt must be in the future');
  const row = await trx
    .insertInto('suppressions')
    .values({
      rule_id: input.ruleId ?? null,
      indicator_kind: input.indicator.kind,
      indicator_value: input.indicator.value.trim(),
      reason: input.reason.trim(),
      created_by: input.actor,
      created_at: now,
      expires_at: input.expiresAt ?? null,
      incident_id: input.incidentId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const s = toSuppression(row, now);
  await audit(trx, { actor: input.actor, action: 'suppression.create', target: `suppression:${s.id}`, result: 'ok', details: { ...s } }, now);
  return s;
}

export async function listSuppressions(ctx: TriageContext, options: { includeExpired?: boolean } = {}): Promise<Suppression[]> {
  const now = clock(ctx);
  let q = ctx.db.selectFrom('suppressions').selectAll().orderBy('id', 'desc');
  if (!options.includeExpired) q = q.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  return (await q.execute()).map((r) => toSuppression(r, now));
}

export async function deleteSuppression(ctx: TriageContext, id: number, actor: string): Promise<void> {
  const gone = await ctx.db.deleteFrom('suppressions').where('id', '=', id).executeTakeFirst();
  if (Number(gone.numDeletedRows) === 0) throw new TriageError('not_found', `no suppression ${id}`);
  await audit(ctx.db, { actor, action: 'suppression.delete', target: `suppression:${id}`, result: 'ok' }, clock(ctx));
}

/** Ends a suppression now (it stays listed with `expired`, and its hits); refused if it has already ended. */
export async function expireSuppression(ctx: TriageContext, id: number, actor: string): Promise<Suppression> {
  const now = clock(ctx);
  const row = await ctx.db
    .updateTable('suppressions')
    .set({ expires_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .returningAll()
    .executeTakeFirst();
  if (!row) {
    const exists = await ctx.db.selectFrom('suppressions').select('id').where('id', '=', id).executeTakeFirst();
    throw exists ? new TriageError('conflict', `suppression ${id} has already expired`) : new TriageError('not_found', `no suppression ${id}`);
  }
  const s = toSuppression(row, now);
  await audit(ctx.db, { actor, action: 'suppression.expire', target: `suppression:${id}`, result: 'ok', details: { ...s } }, now);
  return s;
}

/** The first live suppression for this rule (or any rule) and one of the indicators; counts the hit. */
export async function matchSuppression(trx: Kysely<Database>, ruleId: string, indicators: Indicator[], now: number): Promise<Suppression | undefined> {
  if (indicators.length === 0) return undefined;
  const row = await trx
    .selectFrom('suppressions')
    .selectAll()
    .where((eb) =>
      eb.and([
        eb.or(indicators.map((i) => eb.and([eb('indicator_kind', '=', i.kind), eb('indicator_value', '=', i.value)]))),
        eb.or([eb('rule_id', 'is', null), eb('rule_id', '=', ruleId)]),
        eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]),
      ]),
    )
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  await countHits(trx, row.id, 1);
  return toSuppression(row, now);
}

/** Suppressions in force at `now` (those that may match a batch of detections), at most `limit`, oldest first. */
export async function liveSuppressions(db: Kysely<Database>, now: number, limit: number): Promise<Suppression[]> {
  const rows = await db
    .selectFrom('suppressions')
    .selectAll()
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => toSuppression(r, now));
}

/** The first of these suppressions (oldest first) in force at `now` for this rule and one of the indicators: what matchSuppression's query finds. */
export function firstMatching(live: Suppression[], ruleId: string, indicators: Indicator[], now: number): Suppression | undefined {
  const keys = new Set(indicators.map(indicatorKey));
  return live.find(
    (s) =>
      keys.has(indicatorKey(s.indicator)) &&
      (s.ruleId === undefined || s.ruleId === ruleId) &&
      (s.expiresAt === undefined || s.expiresAt > now),
  );
}

/** Counts `n` more detections silenced by a suppression. */
export async function countHits(trx: Kysely<Database>, id: number, n: number): Promise<void> {
  await trx.updateTable('suppressions').set((eb) => ({ hits: eb('hits', '+', n) })).where('id', '=', id).execute();
}

// Per-rule modes set by analysts: enabled (the default), disabled (its detections are dropped), or shadow
// (it runs and counts what it would have fired, but opens no incident and notifies nobody). Kept in memory
// for the hot path and written through to the store. A shadowed rule's would-be incidents are kept per entity
// (shadow_incidents), so the rules page shows what promoting it would open.
import { systemClock } from '../clock.js';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type RuleMode = 'enabled' | 'disabled' | 'shadow';
export const RULE_MODES: readonly RuleMode[] = ['enabled', 'disabled', 'shadow'];

export interface RuleModeState {
  mode: RuleMode;
  shadowHits: number;
  updatedBy?: string;
  updatedAt?: number;
}

/** A shadowed rule's detection, as shadow evidence records it. */
export interface ShadowDetection {
  ruleId: string;
  /** The incident fingerprint triage would give it (rule + entity). */
  fingerprint: string;
  entity: Record<string, string>;
  firstTime: number;
  time: number;
  events: number;
}

export interface ShadowEvidence {
  /** Incidents it would have opened. */
  opened: number;
  detections: number;
  events: number;
  /** Per entity, most recent first. */
  entities: { entity: Record<string, string>; opened: number; events: number; firstSeen: number; lastSeen: number }[];
}

export class RuleModes {
  private modes = new Map<string, RuleMode>();

  constructor(private readonly db: Kysely<Database>) {}

  async load(): Promise<void> {
    const rows = await this.db.selectFrom('rule_modes').select(['rule_id', 'mode']).execute();
    this.modes = new Map(rows.map((r) => [r.rule_id, r.mode as RuleMode]));
  }

  mode(ruleId: string): RuleMode {
    return this.modes.get(ruleId) ?? 'enabled';
  }

  async set(ruleId: string, mode: RuleMode, by: string, now = systemClock()): Promise<void> {
    await this.db
      .insertInto('rule_modes')
      .values({ rule_id: ruleId, mode, updated_by: by, updated_at: now })
      .onConflict((oc) => oc.column('rule_id').doUpdateSet({ mode, updated_by: by, updated_at: now }))
      .execute();
    this.modes.set(ruleId, mode);
  }

  /** Counts one detection a shadowed rule would have fired, inside the pipeline's transaction. */
  async countShadow(trx: Kysely<Database>, ruleId: string): Promise<void> {
    await trx
      .updateTable('rule_modes')
      .set((eb) => ({ shadow_hits: eb('shadow_hits', '+', 1) }))
      .where('rule_id', '=', ruleId)
      .execute();
  }

  /**
   * Records what a shadowed rule's detection would have done: fold into the would-be incident of its entity, or
   * open another when the last one has been quiet for `quietPeriod` (as triage would), inside the pipeline's
   * transaction.
   */
  async recordShadow(trx: Kysely<Database>, d: ShadowDetection, quietPeriod: number, now: number): Promise<void> {
    const row = await trx.selectFrom('shadow_incidents').select(['last_seen', 'first_seen']).where('rule_id', '=', d.ruleId).where('fingerprint', '=', d.fingerprint).executeTakeFirst();
    if (!row) {
      await trx
        .insertInto('shadow_incidents')
        .values({ rule_id: d.ruleId, fingerprint: d.fingerprint, entity_json: JSON.stringify(d.entity), first_seen: d.firstTime, last_seen: d.time, opened: 1, detections: 1, events: d.events, updated_at: now })
        .execute();
      return;
    }
    const fresh = d.firstTime - Number(row.last_seen) > quietPeriod;
    await trx
      .updateTable('shadow_incidents')
      .set((eb) => ({
        opened: fresh ? eb('opened', '+', 1) : eb.ref('opened'),
        detections: eb('detections', '+', 1),
        events: eb('events', '+', d.events),
        first_seen: Math.min(Number(row.first_seen), d.firstTime),
        last_seen: Math.max(Number(row.last_seen), d.time),
        updated_at: now,
      }))
      .where('rule_id', '=', d.ruleId)
      .where('fingerprint', '=', d.fingerprint)
      .execute();
  }

  /** Per rule: the incidents, detections and events shadow mode recorded, and the entities it would have named. */
  async shadowEvidence(): Promise<Map<string, ShadowEvidence>> {
    const rows = await this.db.selectFrom('shadow_incidents').selectAll().orderBy('last_seen', 'desc').execute();
    const out = new Map<string, ShadowEvidence>();
    for (const r of rows) {
      const e = out.get(r.rule_id) ?? { opened: 0, detections: 0, events: 0, entities: [] };
      e.opened += Number(r.opened);
      e.detections += Number(r.detections);
      e.events += Number(r.events);
      e.entities.push({ entity: JSON.parse(r.entity_json), opened: Number(r.opened), events: Number(r.events), firstSeen: Number(r.first_seen), lastSeen: Number(r.last_seen) });
      out.set(r.rule_id, e);
    }
    return out;
  }

  async states(): Promise<Map<string, RuleModeState>> {
    const rows = await this.db.selectFrom('rule_modes').selectAll().execute();
    return new Map(
      rows.map((r) => [r.rule_id, { mode: r.mode as RuleMode, shadowHits: Number(r.shadow_hits), updatedBy: r.updated_by, updatedAt: Number(r.updated_at) }]),
    );
  }
}

/** Rules in shadow mode and the detections each would have fired, for /metrics. */
export async function shadowCounts(db: Kysely<Database>): Promise<{ ruleId: string; hits: number }[]> {
  const rows = await db.selectFrom('rule_modes').select(['rule_id', 'shadow_hits']).where('mode', '=', 'shadow').execute();
  return rows.map((r) => ({ ruleId: r.rule_id, hits: Number(r.shadow_hits) }));
}

/** Shadow evidence not added to since `before` (retention.detections): one batch, for the retention job. */
export async function purgeShadowEvidence(db: Kysely<Database>, before: number, limit: number): Promise<{ deleted: { shadow_incidents: number }; more: boolean }> {
  const rows = await db.selectFrom('shadow_incidents').select(['rule_id', 'fingerprint']).where('updated_at', '<', before).limit(limit).execute();
  let n = 0;
  for (const r of rows) n += Number((await db.deleteFrom('shadow_incidents').where('rule_id', '=', r.rule_id).where('fingerprint', '=', r.fingerprint).executeTakeFirst()).numDeletedRows ?? 0);
  return { deleted: { shadow_incidents: n }, more: rows.length === limit };
}

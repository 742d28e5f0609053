// Per-rule modes set by analysts: enabled (the default), disabled (its detections are dropped), or shadow
// (it runs and counts what it would have fired, but opens no incident and notifies nobody). Kept in memory
// for the hot path and written through to the store.
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

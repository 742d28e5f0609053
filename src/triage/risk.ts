// Risk-based alerting. Every detection that folds into an incident adds risk to the entities it is about (its
// entity, and any address, user or host all its events share): points by its rule's level, times the highest
// factor of its ATT&CK tactics. When one entity's points within the window reach the threshold, or its
// detections span enough distinct tactics, a risk detection is made for that entity; it is triaged like any
// detection (so it opens, folds, resolves and reopens as an incident does) and its incident links the incidents
// that contributed. A risk detection adds no risk: risk never feeds back into itself.
//
// This module owns the risk_events table: every query against it is here, retention's purge included.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { defineComponent } from '../config/component.js';
import { riskSchema, type RiskConfig } from '../config/risk.js';
import type { Detection, Indicator, RuleRef } from '../model/index.js';
import type { Database } from '../store/schema.js';
import { linkable, entityOf } from './incidents.js';
import { indicatorsOf, suppressibleIndicators } from './indicators.js';
import { linkAll } from './links.js';
import { tacticsOfDetection } from './mitre.js';
import { setRuleOfIncident } from './record.js';
import type { AssetCriticality } from './severity.js';

/** The rule id of risk detections and risk incidents. */
export const RISK_RULE_ID = 'vigil-risk';
/** The tag every risk detection carries. */
export const RISK_TAG = 'vigil.risk';

export type RiskEntityKind = 'ip' | 'user' | 'host';

/** What one detection added to one entity. */
export interface RiskContribution {
  detectionId: string;
  incidentId: string;
  ruleId: string;
  ruleTitle: string;
  level: string;
  tactics: string[];
  points: number;
  /** Events the detection counted. */
  events: number;
  time: number;
}

/** An entity whose risk crossed: the detection to triage, and what made it up. */
export interface RiskCrossing {
  entity: Indicator;
  detection: Detection;
  total: number;
  tactics: string[];
  contributions: RiskContribution[];
}

export const isRiskDetection = (d: Pick<Detection, 'rule'>) => d.rule.id === RISK_RULE_ID || d.rule.tags.includes(RISK_TAG);

/** Most contributions read per entity and crossing (the newest); the sum is taken in SQL over all of them. */
const MAX_CONTRIBUTIONS = 50;

export class RiskScorer {
  constructor(
    readonly config: RiskConfig,
    private readonly assets: AssetCriticality,
  ) {}

  /** The points a detection adds, and the tactics it counts for. */
  score(d: Detection): { points: number; tactics: string[]; factor: number } {
    const tactics = tacticsOfDetection(d);
    const factors = tactics.map((t) => this.config.tacticFactors[t] ?? 1);
    const factor = factors.length > 0 ? Math.max(...factors) : 1;
    return { points: Math.round(this.config.levels[d.rule.level] * factor), tactics, factor };
  }

  /** The entities a detection adds risk to: its entity and what all its events share, of the configured kinds. */
  entities(d: Detection): Indicator[] {
    const kinds = new Set<string>(this.config.entities);
    const all = suppressibleIndicators(indicatorsOf(d, entityOf(d)));
    // An account every attacker tries ("administrator") is no entity to pile risk on, unless it is critical.
    return linkable(all, this.assets).filter((i) => kinds.has(i.kind));
  }

  /**
   * Records the risk of a detection that folded into `incidentId`, inside the pipeline's transaction; returns
   * the entities whose risk within the window now crosses the threshold or the tactic count.
   */
  async add(trx: Kysely<Database>, d: Detection, incidentId: string, now: number): Promise<RiskCrossing[]> {
    if (isRiskDetection(d)) return [];
    const { points, tactics } = this.score(d);
    if (points <= 0) return [];
    const entities = this.entities(d);
    if (entities.length === 0) return [];
    await trx
      .insertInto('risk_events')
      .values(
        entities.map((e) => ({
          detection_id: d.id,
          entity_kind: e.kind,
          entity_value: e.value,
          incident_id: incidentId,
          rule_id: d.rule.id,
          rule_title: d.rule.title,
          level: d.rule.level,
          tactics_json: JSON.stringify(tactics),
          points,
          events: d.count,
          time: d.time,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['detection_id', 'entity_kind', 'entity_value']).doNothing())
      .execute();
    const out: RiskCrossing[] = [];
    for (const entity of entities) {
      const since = d.time - this.config.window;
      const total = await this.total(trx, entity, since, d.time);
      const contributions = await this.contributions(trx, entity, since, d.time);
      const allTactics = await this.tactics(trx, entity, since, d.time);
      const byPoints = total >= this.config.threshold;
      const byTactics = this.config.tactics > 0 && allTactics.length >= this.config.tactics;
      if (!byPoints && !byTactics) continue;
      out.push({ entity, total, tactics: allTactics, contributions, detection: this.riskDetection(d, entity, total, allTactics, contributions) });
    }
    return out;
  }

  private async total(trx: Kysely<Database>, e: Indicator, since: number, until: number): Promise<number> {
    const row = await trx
      .selectFrom('risk_events')
      .select((eb) => eb.fn.sum<number>('points').as('total'))
      .where('entity_kind', '=', e.kind)
      .where('entity_value', '=', e.value)
      .where('time', '>=', since)
      .where('time', '<=', until)
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  /** Every distinct tactic within the window (over all its rows, not only the contributions read), first seen first. */
  private async tactics(trx: Kysely<Database>, e: Indicator, since: number, until: number): Promise<string[]> {
    const rows = await trx
      .selectFrom('risk_events')
      .select((eb) => ['tactics_json', eb.fn.min('time').as('first')])
      .where('entity_kind', '=', e.kind)
      .where('entity_value', '=', e.value)
      .where('time', '>=', since)
      .where('time', '<=', until)
      .groupBy('tactics_json')
      .orderBy('first')
      .execute();
    return [...new Set(rows.flatMap((r) => JSON.parse(r.tactics_json) as string[]))];
  }

  private async contributions(trx: Kysely<Database>, e: Indicator, since: number, until: number): Promise<RiskContribution[]> {
    const rows = await trx
      .selectFrom('risk_events')
      .selectAll()
      .where('entity_kind', '=', e.kind)
      .where('entity_value', '=', e.value)
      .where('time', '>=', since)
      .where('time', '<=', until)
      .orderBy('time', 'desc')
      .limit(MAX_CONTRIBUTIONS)
      .execute();
    return rows.reverse().map((r) => ({
      detectionId: r.detection_id,
      incidentId: r.incident_id,
      ruleId: r.rule_id,
      ruleTitle: r.rule_title,
      level: r.level,
      tactics: JSON.parse(r.tactics_json) as string[],
      points: Number(r.points),
      events: Number(r.events),
      time: Number(r.time),
    }));
  }

  private riskDetection(d: Detection, entity: Indicator, total: number, tactics: string[], contributions: RiskContribution[]): Detection {
    const rule = riskRule(this.config, entity, total, tactics, contributions);
    const id = createHash('sha1').update(`${RISK_RULE_ID}\u0000${entity.kind}=${entity.value}\u0000${d.id}`).digest('hex').slice(0, 24);
    return {
      id,
      rule,
      time: d.time,
      firstTime: Math.min(...contributions.map((c) => c.time), d.firstTime),
      group: { [entity.kind]: entity.value },
      count: contributions.reduce((n, c) => n + c.events, 0),
      eventIds: [],
      events: [],
    };
  }

  /**
   * After the risk detection was triaged into `riskIncidentId`: links the contributing incidents to it, and
   * writes the rule's description (which names every contributor) and their events onto the incident, so it
   * says what it holds now (a fold would add the same events again).
   */
  async linkContributors(trx: Kysely<Database>, riskIncidentId: string, crossing: RiskCrossing, now: number): Promise<void> {
    const byIncident = new Map<string, RiskContribution[]>();
    for (const c of crossing.contributions) byIncident.set(c.incidentId, [...(byIncident.get(c.incidentId) ?? []), c]);
    await linkAll(
      trx,
      riskIncidentId,
      [...byIncident].map(([id, list]) => ({ id, reason: `risk +${list.reduce((s, c) => s + c.points, 0)} to ${crossing.entity.kind} ${crossing.entity.value} (${tacticList(list.flatMap((c) => c.tactics))})` })),
      now,
    );
    await setRuleOfIncident(trx, riskIncidentId, crossing.detection.rule, crossing.detection.count);
  }
}

const tacticList = (t: string[]) => [...new Set(t)].join(', ') || 'no tactic';

/** The rule a risk detection is made of: its description names the entity, the total, the tactics and each contributor. */
export function riskRule(config: RiskConfig, entity: Indicator, total: number, tactics: string[], contributions: RiskContribution[]): RuleRef {
  const hours = Math.round(config.window / 3_600_000);
  const rules = new Map<string, { title: string; level: string; points: number; tactics: Set<string> }>();
  for (const c of contributions) {
    const r = rules.get(c.ruleId) ?? { title: c.ruleTitle, level: c.level, points: 0, tactics: new Set<string>() };
    r.points += c.points;
    c.tactics.forEach((t) => r.tactics.add(t));
    rules.set(c.ruleId, r);
  }
  const why = [total >= config.threshold ? `${total} risk points (threshold ${config.threshold})` : `${total} risk points`, `${tactics.length} ATT&CK ${tactics.length === 1 ? 'tactic' : 'tactics'} (${tacticList(tactics)})`];
  const parts = [...rules.values()].map((r) => `${r.title} (${r.level}, +${r.points}, ${tacticList([...r.tactics])})`);
  return {
    id: RISK_RULE_ID,
    title: `Risk built up on one ${entity.kind === 'ip' ? 'address' : entity.kind}`,
    level: config.level,
    author: 'Vigil',
    description: `Within ${hours} ${hours === 1 ? 'hour' : 'hours'}, ${entity.kind} ${entity.value} gathered ${why.join(' across ')} from: ${parts.join('; ')}.`,
    tags: [RISK_TAG, ...tactics.map((t) => `attack.${t.toLowerCase().replace(/ /g, '_')}`)],
  };
}

/** Risk events of detections older than `before` (and recorded before it): past every window that could count them. */
export async function purgeRiskEvents(db: Kysely<Database>, before: number, limit: number): Promise<{ deleted: { risk_events: number }; more: boolean }> {
  const ids = (
    await db.selectFrom('risk_events').select('detection_id').distinct().where('time', '<', before).where('created_at', '<', before).limit(limit).execute()
  ).map((r) => r.detection_id);
  if (ids.length === 0) return { deleted: { risk_events: 0 }, more: false };
  const res = await db.deleteFrom('risk_events').where('detection_id', 'in', ids).where('time', '<', before).where('created_at', '<', before).executeTakeFirst();
  return { deleted: { risk_events: Number(res.numDeletedRows ?? 0) }, more: ids.length === limit };
}

/** `risk:` as a component: its section and how the pipeline's scorer is built from it. */
export const riskComponent = defineComponent({
  name: 'risk',
  configSchema: riskSchema,
  create: (config: RiskConfig, deps: { assets: AssetCriticality }) => new RiskScorer(config, deps.assets),
});

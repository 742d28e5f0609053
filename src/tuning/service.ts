// The tuning loop as the API and the CLI use it: per-rule quality with shadow evidence, a filter proposed from
// false-positive verdicts, a backtest of proposed filters or rules against the stored alerts, and accepting a
// filter (README "Tuning loop").
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { RuleSet } from '../detect/rules.js';
import { eventsFor } from '../pipeline/announce.js';
import type { RuleModes, ShadowEvidence } from '../store/rule-modes.js';
import type { Database } from '../store/schema.js';
import { detectionsOfIncident } from '../triage/detections.js';
import { judgedIncidentsOf, ruleQuality, type RuleQuality } from '../triage/quality.js';
import { acceptedFiltersFile, loadConfiguredRules, ruleLoad, rulePaths } from '../detect/configured.js';
import { backtest, type BacktestResult } from './backtest.js';
import { acceptFilters, FilterError, parseFilters, type AcceptedFilter } from './filters.js';
import { proposeFilter, type Proposal } from './propose.js';
import { TriageError } from '../triage/types.js';

/** The name a proposed filter text carries in problems and the audit log. */
export const PROPOSED = 'proposed filter';

/** Most events read per incident for a proposal. */
const EVENTS_PER_INCIDENT = 500;

export interface RuleQualityView extends RuleQuality {
  title: string;
  level: string;
  mode: string;
  /** What the rule recorded in shadow mode: the incidents it would have opened, its detections and events. */
  shadow: Omit<ShadowEvidence, 'entities'> & { entities: number };
}

export interface QualityReport {
  since: number;
  until: number;
  fpThreshold: number;
  minVerdicts: number;
  rules: RuleQualityView[];
}

export interface TuningDeps {
  config: Config;
  db: Kysely<Database>;
  /** The running rules (an accepted filter narrows them in place). */
  rules: RuleSet;
  ruleModes: RuleModes;
  log: Logger;
  clock?: Clock;
}

export class Tuning {
  private running = false;
  private readonly clock: Clock;

  constructor(private readonly deps: TuningDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /** tuning.period: how far back quality, proposals and backtests look by default. */
  get period(): number {
    return this.deps.config.tuning.period;
  }

  get filtersFile(): string {
    return acceptedFiltersFile(this.deps.config);
  }

  /** Every loaded rule with its quality over [since, until): verdict counts, FP ratio, MTTA, shadow evidence. */
  async quality(since?: number, until?: number): Promise<QualityReport> {
    const { config, db, rules, ruleModes } = this.deps;
    const to = until ?? this.clock();
    const from = since ?? to - config.tuning.period;
    const { fpThreshold, minVerdicts } = config.tuning;
    const [quality, states, shadow] = await Promise.all([ruleQuality(db, { since: from, until: to, fpThreshold, minVerdicts }), ruleModes.states(), ruleModes.shadowEvidence()]);
    const view = rules.rules.map((r): RuleQualityView => {
      const q = quality.get(r.ref.id) ?? { ruleId: r.ref.id, incidents: 0, truePositive: 0, falsePositive: 0, benign: 0, none: 0, fpRatio: null, acknowledged: 0, mttaMs: null, flagged: false };
      const s = shadow.get(r.ref.id);
      return {
        ...q,
        title: r.ref.title,
        level: r.ref.level,
        mode: states.get(r.ref.id)?.mode ?? 'enabled',
        shadow: { opened: s?.opened ?? 0, detections: s?.detections ?? 0, events: s?.events ?? 0, entities: s?.entities.length ?? 0 },
      };
    });
    return { since: from, until: to, fpThreshold, minVerdicts, rules: view };
  }

  /** A Sigma filter proposed from the rule's false-positive verdicts since `since` (default: tuning.period). */
  async propose(ruleId: string, since?: number): Promise<Proposal> {
    const { db, rules, config } = this.deps;
    const rule = rules.rules.find((r) => r.ref.id === ruleId);
    if (!rule) throw new TriageError('not_found', `no loaded rule ${ruleId}`);
    const now = this.clock();
    const judged = await judgedIncidentsOf(db, ruleId, since ?? now - config.tuning.period);
    const events = async (id: string) => {
      const ids = [...new Set((await detectionsOfIncident(db, id)).flatMap((d) => d.eventIds))].slice(0, EVENTS_PER_INCIDENT);
      return eventsFor(db, ids, new Map());
    };
    const fp: Awaited<ReturnType<typeof events>>[] = [];
    const tp: typeof fp = [];
    for (const i of judged) {
      const e = await events(i.id);
      if (e.length === 0) continue; // its evidence is no longer stored
      (i.verdict === 'false_positive' ? fp : tp).push(e);
    }
    return proposeFilter(rule, rules, fp, tp, now);
  }

  /**
   * The configured rules (or `paths` instead) with the proposed filter text added; refuses a text with a
   * problem, which would otherwise silently test nothing.
   */
  proposedRules(text: string | undefined, paths?: string[]): RuleSet {
    const { config } = this.deps;
    if (text !== undefined) parseFilters(text, PROPOSED, { placeholders: config.detect.placeholders });
    const set = loadConfiguredRules(
      // Not strict: a refusal of the proposal is answered below with its reason, not as a start-up failure.
      { ...ruleLoad(config, paths ?? rulePaths(config)), strict: false, texts: text === undefined ? [] : [{ file: PROPOSED, text }] },
      { placeholders: config.detect.placeholders },
    );
    const mine = set.problems.filter((p) => p.file === PROPOSED);
    if (mine.length > 0) throw new FilterError(mine.map((p) => `${p.rule ? `${p.rule}: ` : ''}${p.message}`).join('; '));
    return set;
  }

  /** Replays the stored alerts since `since` through the running rules and through them with `text` added. */
  async backtest(text: string, since: number): Promise<BacktestResult> {
    if (this.running) throw new TriageError('conflict', 'a backtest is already running; try again when it is done');
    this.running = true;
    try {
      const proposed = this.proposedRules(text);
      return await backtest(this.deps.db, { config: this.deps.config, current: this.deps.rules, proposed, since, log: this.deps.log, clock: this.clock });
    } finally {
      this.running = false;
    }
  }

  /** Accepts the filters of `text`: applied to the running rules now, kept for the next start, audited. */
  async accept(text: string, actor: string): Promise<AcceptedFilter[]> {
    const { db, rules, config } = this.deps;
    return acceptFilters(text, { db, rules, file: this.filtersFile, load: { placeholders: config.detect.placeholders }, actor, now: this.clock() });
  }

  /** The filters in force (loaded with the rules or accepted since start). */
  filters(): { title: string; id?: string; rules: string[]; source: string }[] {
    return (this.deps.rules.filters ?? []).map((f) => ({ title: f.title, id: f.id, rules: f.rules, source: f.source }));
  }
}

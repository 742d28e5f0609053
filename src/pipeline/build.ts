// The one way the pipeline is built: `vigil serve` (src/vigil.ts) and `vigil replay` (src/cli/replay.ts) both
// call this, so an offline replay detects and triages exactly as the server does.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Logger } from 'pino';
import type { Actions } from '../act/actions.js';
import type { Config } from '../config/schema.js';
import { Detector, type DetectorOptions } from '../detect/detector.js';
import type { RuleSet } from '../detect/rules.js';
import type { EventBus } from '../events.js';
import type { Database } from '../store/schema.js';
import type { RuleModes } from '../store/rule-modes.js';
import { triageOptions } from '../triage/config.js';
import { riskComponent } from '../triage/risk.js';
import { Pipeline, type PipelineOptions } from './pipeline.js';

export interface PipelineParts {
  rules: RuleSet;
  actions: Actions;
  events: EventBus;
  /** Serve mode: analyst-set rule modes apply. */
  ruleModes?: RuleModes;
  /** Serve mode, enrichment on: a new incident's lookups are queued with it. */
  enrich?: PipelineOptions['enrich'];
  /** Serve mode: events dated beyond detect.maxFuture are not correlated (a replay reads old and new logs alike). */
  live: boolean;
  /** The clock of triage and detection (maxFuture, windows closed by the clock; the soak benchmark drives simulated time). */
  clock?: Clock;
  /**
   * Cluster mode: which of the rules' firings this pipeline makes, where the chained inputs it does not correlate
   * go, and what runs before each commit (src/cluster/node.ts).
   */
  split?: Pick<DetectorOptions, 'singles' | 'correlate' | 'forward'> & Pick<PipelineOptions, 'beforeCommit'>;
}

export function buildPipeline(config: Config, db: Kysely<Database>, log: Logger, parts: PipelineParts): Pipeline {
  const { maxGroups, lateness, maxFuture } = config.detect;
  const { beforeCommit, ...split } = parts.split ?? {};
  const detector = new Detector(parts.rules, { maxGroups, lateness, ...(parts.live ? { maxFuture } : {}), ...(parts.clock ? { clock: parts.clock } : {}), ...split });
  // Risk-based alerting, when on: the scorer the pipeline hands each triaged detection to.
  const risk = config.risk.enabled ? riskComponent.create(config.risk, { assets: config.triage.assets }) : undefined;
  return new Pipeline(db, detector, log, {
    actions: parts.actions,
    triage: triageOptions(config),
    ruleModes: parts.ruleModes,
    enrich: parts.enrich,
    events: parts.events,
    clock: parts.clock,
    risk,
    beforeCommit,
  });
}

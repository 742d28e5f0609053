// What every ingest source is and is given. Each records through one Intake and pauses while the Backlog says
// the pipeline is behind.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { Database } from '../store/schema.js';
import type { Backlog } from './backlog.js';
import type { Intake } from './intake.js';

export interface Source {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SourceDeps {
  db: Kysely<Database>;
  intake: Intake;
  backlog: Backlog;
  log: Logger;
  metrics?: Metrics;
  /** `ingest.maxAlertBytes`: the longest record a source keeps; longer ones are quarantined. */
  maxAlertBytes: number;
}

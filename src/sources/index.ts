// The configured ingest sources, started and stopped together. Each records through one Intake and pauses while
// the Backlog says the pipeline is behind.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Metrics } from '../metrics.js';
import type { Database } from '../store/schema.js';
import { AlertsFileSource } from './alerts-file.js';
import type { Backlog } from './backlog.js';
import { IndexerSource } from './indexer.js';
import type { Intake } from './intake.js';
import { SyslogSource } from './syslog.js';

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
}

export function buildSources(config: Config, deps: SourceDeps): Source[] {
  const out: Source[] = [];
  const { sources, ingest } = config;
  if (sources.alertsFile.enabled) out.push(new AlertsFileSource(sources.alertsFile, { ...deps, maxAlertBytes: ingest.maxAlertBytes }));
  if (sources.indexer.enabled) out.push(new IndexerSource(sources.indexer, deps));
  if (sources.syslog.enabled) out.push(new SyslogSource(sources.syslog, { ...deps, maxAlertBytes: ingest.maxAlertBytes }));
  return out;
}

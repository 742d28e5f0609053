// What routes need from the running Vigil, and nothing more.
import type { Kysely } from 'kysely';
import type { RuleSet } from '../detect/rules.js';
import type { RuleModes } from '../store/rule-modes.js';
import type { AlertRecord } from '../store/alerts.js';
import type { Database } from '../store/schema.js';
import type { ResponseService } from '../act/response/service.js';
import type { Playbook } from '../config/playbooks.js';
import type { TriageContext } from '../triage/context.js';
import type { Metrics } from '../metrics.js';
import type { AuthOptions } from './routes/auth.js';
import type { Tuning } from '../tuning/service.js';

/** What the ingest webhook needs: its token and limits, and where a batch goes. */
export interface IngestContext {
  token: string;
  /** ingest.maxAlertBytes: the webhook refuses a longer alert with 400 naming its line (default 1 MiB). */
  maxAlertBytes?: number;
  /** Records a batch (group-committed with other requests and sources); counts it and wakes the pipeline. */
  record?: (batch: AlertRecord[]) => Promise<{ accepted: number; duplicates: number }>;
  /** Called after alerts are recorded, so the pipeline picks them up at once. */
  onRecorded(): void;
  /** While the pipeline is behind, ingest answers 503 with this Retry-After (seconds) instead of recording. */
  backpressure?: { behind(): Promise<boolean>; retryAfterSeconds: number };
}

/** The Prometheus metrics and their scrape endpoint. */
export interface ScrapeContext {
  counters: Metrics;
  /** The bearer token /metrics asks for (server.metrics.token, or the generated one). */
  token?: string;
  /** Refreshes metrics read from the store, before a scrape. */
  collect?: () => Promise<void>;
}

/** What routes need from the running Vigil, grouped by the stage it comes from. */
export interface AppContext {
  db: Kysely<Database>;
  /** True once the pipeline has started (for /readyz). */
  ready(): boolean;
  ingest: IngestContext;
  /** Absent: no /metrics endpoint. */
  metrics?: ScrapeContext;
  auth: AuthOptions & { cookieSecret: string };
  detect: { rules: RuleSet; ruleModes: RuleModes };
  /** Triage's domain functions act through this (store, clock, announcer). */
  triage: TriageContext;
  act: {
    /** Guarded active response: approval links, unblock. */
    responses?: ResponseService;
    /** The playbooks in force (read-only through the API). */
    playbooks: Playbook[];
  };
  /** The tuning loop: rule quality, filter proposals, backtests, accepting filters (absent: those routes are not served). */
  tuning?: Tuning;
  /** The built dashboard (web/dist); absent: the API runs without it. */
  webRoot?: string;
}

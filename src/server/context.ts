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

export interface AppContext {
  db: Kysely<Database>;
  ingestToken: string;
  /** The bearer token /metrics asks for (server.metrics.token, or the generated one). */
  metricsToken?: string;
  /** ingest.maxAlertBytes: the webhook refuses a longer alert with 400 naming its line (default 1 MiB). */
  maxAlertBytes?: number;
  /** server.bodyLimit, also the limit of a gzip body once decompressed. */
  bodyLimit?: number;
  /** Called after alerts are recorded, so the pipeline picks them up at once. */
  onRecorded(): void;
  /** True once the pipeline has started (for /readyz). */
  ready(): boolean;
  metrics?: Metrics;
  /** While the pipeline is behind, ingest answers 503 with this Retry-After (seconds) instead of recording. */
  backpressure?: { behind(): Promise<boolean>; retryAfterSeconds: number };
  /** Records a batch (group-committed with other requests and sources); counts it and wakes the pipeline. */
  record?: (batch: AlertRecord[]) => Promise<{ accepted: number; duplicates: number }>;
  /** Refreshes metrics read from the store, before a scrape. */
  collectMetrics?: () => Promise<void>;
  auth: AuthOptions & { cookieSecret: string };
  rules: RuleSet;
  ruleModes: RuleModes;
  /** The built dashboard (web/dist); absent: the API runs without it. */
  webRoot?: string;
  /** Guarded active response: approval links, unblock. */
  responses?: ResponseService;
  /** Triage's domain functions act through this (store, clock, announcer). */
  triage: TriageContext;
  /** The playbooks in force (read-only through the API). */
  playbooks: Playbook[];
  /** The tuning loop: rule quality, filter proposals, backtests, accepting filters (absent: those routes are not served). */
  tuning?: Tuning;
  /** The clock of the running Vigil. */
  clock?: () => number;
}

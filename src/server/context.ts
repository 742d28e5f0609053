// What routes need from the running Vigil, and nothing more.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Metrics } from './metrics.js';

export interface AppContext {
  db: Kysely<Database>;
  ingestToken: string;
  /** Called after alerts are recorded, so the pipeline picks them up at once. */
  onRecorded(): void;
  /** True once the pipeline has started (for /readyz). */
  ready(): boolean;
  metrics?: Metrics;
}

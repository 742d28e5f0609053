// The one list of ingest sources (besides the webhook, which is a route). The `sources:` config section is
// derived from it; a source is one self-describing file registered here.
import { sectionShape } from '../config/component.js';
import { alertsFileSource } from './alerts-file.js';
import { indexerSource } from './indexer.js';
import type { Source, SourceDeps } from './source.js';
import { syslogSource } from './syslog.js';

export type { Source, SourceDeps } from './source.js';

export const SOURCES = [alertsFileSource, indexerSource, syslogSource] as const;

export type SourceName = (typeof SOURCES)[number]['name'];

export const sourcesShape = sectionShape(SOURCES);

/**
 * The enabled sources. `exclusive` (cluster mode) wraps each source that names a lease, so that it runs on one node
 * at a time: it is given the lease's name and a way to build the source afresh.
 */
export function buildSources(
  config: { [N in SourceName]: { enabled: boolean } },
  deps: SourceDeps,
  exclusive?: (lease: string, create: () => Source) => Source,
): Source[] {
  const out: Source[] = [];
  for (const s of SOURCES) {
    const section = config[s.name];
    if (!section.enabled) continue;
    const create = () => (s.create as (config: unknown, deps: SourceDeps) => Source)(section, deps);
    const lease = 'lease' in s ? (s.lease as (config: unknown) => string)(section) : undefined;
    out.push(lease && exclusive ? exclusive(lease, create) : create());
  }
  return out;
}

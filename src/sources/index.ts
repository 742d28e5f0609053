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

export function buildSources(config: { [N in SourceName]: { enabled: boolean } }, deps: SourceDeps): Source[] {
  const out: Source[] = [];
  for (const s of SOURCES) {
    const section = config[s.name];
    if (section.enabled) out.push((s.create as (config: unknown, deps: SourceDeps) => Source)(section, deps));
  }
  return out;
}

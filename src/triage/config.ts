// The triage options from the config file.
import type { Config } from '../config/schema.js';
import type { TriageOptions } from './incidents.js';

export function triageOptions(config: Config): TriageOptions {
  const t = config.triage;
  return { quietPeriod: t.quietPeriod, reopenWindow: t.reopenWindow, assets: t.assets, llmSummaries: Boolean(config.llm?.enabled) };
}

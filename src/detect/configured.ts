// The rules a config names: the files and folders (the built-in pack, rules.paths, the accepted filters), and
// loading them with the strictness start-up needs.
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { StartupError } from '../errors.js';
import { BUILTIN_RULES } from '../paths.js';
import { loadRules, loadRulesAsync, refusalCounts, refusalReason, refusalSummary, type LoadOptions, type RuleProblem, type RuleSet, type RuleText } from './rules.js';

/** The configured rule files and folders, and the file of accepted filters once one was accepted. */
export function rulePaths(config: Config): string[] {
  const accepted = acceptedFiltersFile(config);
  return [...(config.rules.builtin ? [BUILTIN_RULES] : []), ...config.rules.paths, ...(existsSync(accepted) ? [accepted] : [])];
}

/** Where accepted Sigma filters are kept (tuning.filtersFile, or accepted-filters.yml in the data directory). */
export function acceptedFiltersFile(config: Config): string {
  return config.tuning.filtersFile || join(dataDir(config), 'accepted-filters.yml');
}

export interface RuleLoad {
  /** Rule files or folders. */
  paths: string[];
  /** Any refusal stops the load (`rules.strict`); the built-in pack is strict regardless. */
  strict?: boolean;
  /** Rule text besides the files (a proposed filter under test). */
  texts?: RuleText[];
}

const problemLine = (p: RuleProblem) => `  ${p.file}${p.rule ? ` (${p.rule})` : ''}: ${p.kind}: ${p.message}`;

/**
 * Loads the configured rules. A refused rule of the built-in pack always stops start-up, as does any refusal
 * under `strict`; otherwise refused rules are skipped and stay listed in `set.problems` (start-up summary,
 * metric, rules API, lint) so that a corpus such as a SigmaHQ checkout loads where some of its rules cannot.
 */
export function loadConfiguredRules(load: RuleLoad | string[], options: LoadOptions = {}): RuleSet {
  const { paths, strict, texts } = resolveLoad(load);
  return refuseFatal(loadRules(paths, process.cwd(), options, texts), strict);
}

/** loadConfiguredRules with the files parsed on a second thread while this one compiles (start-up). */
export async function loadConfiguredRulesAsync(load: RuleLoad | string[], options: LoadOptions = {}): Promise<RuleSet> {
  const { paths, strict, texts } = resolveLoad(load);
  return refuseFatal(await loadRulesAsync(paths, process.cwd(), options, texts), strict);
}

function resolveLoad(load: RuleLoad | string[]): Required<RuleLoad> {
  const { paths, strict = false, texts = [] } = Array.isArray(load) ? { paths: load, strict: true } : load;
  return { paths, strict, texts };
}

function refuseFatal(set: RuleSet, strict: boolean): RuleSet {
  const builtin = resolve(BUILTIN_RULES);
  const fatal = strict ? set.problems : set.problems.filter((p) => resolve(p.file) === builtin || resolve(p.file).startsWith(builtin + sep));
  if (fatal.length > 0) {
    const what = strict ? 'rules could not be loaded (rules.strict)' : 'the built-in rules could not be loaded';
    throw new StartupError(`${what}:\n` + fatal.map(problemLine).join('\n'));
  }
  return set;
}

/** rules.paths and rules.strict of a config as a RuleLoad. */
export function ruleLoad(config: Config, paths = rulePaths(config)): RuleLoad {
  return { paths, strict: config.rules.strict };
}

/** Logs the refused rules: each at info, and one summary line with the counts by reason at warn. */
export function reportRefusals(set: RuleSet, log: Logger): void {
  if (set.problems.length === 0) return;
  for (const p of set.problems) log.info({ file: p.file, rule: p.rule, kind: p.kind, reason: refusalReason(p) }, `rule refused: ${p.message}`);
  log.warn({ refused: set.problems.length, byReason: Object.fromEntries(refusalCounts(set.problems)) }, refusalSummary(set.problems));
}

export function dataDir(config: Config): string {
  const url = config.database.url;
  if (/^postgres/.test(url) || url === ':memory:') return './data';
  return dirname(url.replace(/^sqlite:(\/\/)?/, ''));
}

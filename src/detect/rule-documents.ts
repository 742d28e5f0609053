// A rule file's documents as js-yaml reads them: what the rule-parsing thread (rule-parse-worker.ts) runs, kept
// apart from rules.ts so that thread loads this parser alone, not the yaml package or the rule compiler.
import { CORE_SCHEMA, loadAll } from 'js-yaml';

/** One YAML document of a rule file: its value, or the first line of its error. */
export type RuleDocument = { error: string } | { value: unknown };

/** The documents of a file that parses cleanly (YAML 1.2 core schema); throws at the first error anywhere. */
export function cleanDocuments(text: string): RuleDocument[] {
  return loadAll(text, { schema: CORE_SCHEMA }).map((value) => ({ value }));
}

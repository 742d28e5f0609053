// A self-describing component: a channel, an enrichment provider or an ingest source is one file that names
// itself, declares the zod schema of its config section, and builds itself from that config and what it is
// given. Each kind is registered in one list (act/channels/index.ts, enrich/providers/index.ts,
// sources/index.ts); the config schema, the playbook channel names and the example-YAML coverage test are
// derived from those lists, so adding a component touches its file, its test and its docs.
import { z } from 'zod';

export interface Component<N extends string, S extends z.ZodType, D, T> {
  /** Its key in vigil.yaml (`channels.<name>`, `enrich.<name>`, `sources.<name>`). */
  readonly name: N;
  /** Its config section; "required when enabled" is part of it, so a missing key is named with file and line. */
  readonly configSchema: S;
  /** Builds it from its parsed section; called only when the section is enabled. */
  create(config: z.output<S>, deps: D): T;
  /**
   * Sources that read one shared position (a file's checkpoint, an indexer cursor): the lease under which it runs
   * on one node at a time in cluster mode (src/cluster/source-lease.ts). Without one it runs on every node.
   */
  lease?(config: z.output<S>): string;
}

/** Identity, for inference: the name stays a literal type, so the derived schema keeps each section's type. */
export function defineComponent<const N extends string, S extends z.ZodType, D, T>(c: Component<N, S, D, T>): Component<N, S, D, T> {
  return c;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyComponent = Component<string, z.ZodType, any, any>;

/** The zod shape of a config section made of components: each one's key, defaulting to its own defaults. */
export type SectionShape<L extends readonly AnyComponent[]> = {
  [C in L[number] as C['name']]: z.ZodDefault<C['configSchema']>;
};

export function sectionShape<const L extends readonly AnyComponent[]>(list: L): SectionShape<L> {
  const shape: Record<string, z.ZodType> = {};
  for (const c of list) shape[c.name] = c.configSchema.default(c.configSchema.parse({}) as never);
  return shape as SectionShape<L>;
}

/** Whether a parsed section is switched on (every component section has `enabled`). */
export function isEnabled(section: unknown): boolean {
  return (section as { enabled?: unknown } | undefined)?.enabled === true;
}

/** A component's config section: `enabled` (off unless `on`) and its own keys; strict, so a misspelt key is named. */
export function componentSchema<S extends z.ZodRawShape>(shape: S, on = false) {
  return z.object({ enabled: z.boolean().default(on), ...shape }).strict();
}

// Config section of enrichment: the stage's own options, then one key per registered provider.
import { z } from 'zod';
import { providersShape } from '../enrich/providers/index.js';
import { duration, cidr } from './fragments.js';

export const enrichSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** How long a new incident's notification waits for lookups before it goes with what it has. */
    deadline: duration.default(5000),
    /** Longest one lookup may take before it counts as failed. */
    timeout: duration.default(10_000),
    /** Attempts before a failing lookup is given up (waiting for quota is not an attempt). */
    maxAttempts: z.number().int().positive().default(4),
    /** Your own ranges: never sent to an external provider (private, loopback, CGNAT, … never are). */
    internalRanges: z.array(cidr).default([]),
    /** Above 0: verdicts feed triage's severity score (src/pipeline/verdicts.ts); 0: never. */
    raiseBy: z.number().int().min(0).max(4).default(1),
    // One key per provider, from the provider registry.
    ...providersShape,
  })
  .strict();

export type EnrichConfig = z.infer<typeof enrichSchema>;

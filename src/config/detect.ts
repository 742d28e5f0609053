// Config sections of detection: which rules load, and how correlation holds its state.
import { z } from 'zod';
import { duration } from './fragments.js';

export const rulesSchema = z
  .object({
    /** Load the rule pack shipped in `rules/`. */
    builtin: z.boolean().default(true),
    /** More rule files or folders. */
    paths: z.array(z.string()).default([]),
    /**
     * Stop start-up when any rule of `paths` is refused (invalid, or a construct or logsource Vigil does not
     * evaluate). Default: refused rules are skipped and reported. The built-in pack is always strict.
     */
    strict: z.boolean().default(false),
  })
  .strict();

export const detectSchema = z
  .object({
    /** Most correlation groups kept at once; beyond it the oldest are evicted and counted. */
    maxGroups: z.number().int().positive().default(1_000_000),
    /** How late an event may arrive and still count in its window. */
    lateness: duration.default(60_000),
    /** `vigil serve`: how far ahead of the clock an event time may be and still be correlated. */
    maxFuture: duration.default(86_400_000),
    /** Values of Sigma `%name%` placeholders, used by the `|expand` modifier. */
    placeholders: z.record(z.string(), z.array(z.string()).min(1)).default({}),
  })
  .strict();

// Config section of the tuning loop: when a rule is flagged as noisy, the rules page's default period, and where
// the Sigma filters analysts accepted are kept (README "Tuning loop").
import { z } from 'zod';
import { DAY, duration } from './fragments.js';

export const tuningSchema = z
  .object({
    /** A rule is flagged when its false-positive ratio (false positives / incidents with a verdict) reaches this. */
    fpThreshold: z.number().min(0).max(1).default(0.5),
    /** ... among at least this many incidents with a verdict (two verdicts say little). */
    minVerdicts: z.number().int().positive().default(3),
    /** The period the rules page and GET /api/v1/rules/quality count over by default. */
    period: duration.default(30 * DAY),
    /** The file accepted filters are appended to (multi-document Sigma YAML); empty: accepted-filters.yml in the data directory. */
    filtersFile: z.string().default(''),
  })
  .strict();

export type TuningConfig = z.infer<typeof tuningSchema>;

// How long the store keeps what grows with traffic, and how much disk it may use. Enforced by the retention job
// (src/retention/) in small batches in the background; see README "Storage and retention".
import { z } from 'zod';
import { DAY, duration } from './fragments.js';

const SIZE_UNITS = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 } as const;

/** A size in bytes, or with a unit: 500MB, 20GB (binary units: 1GB = 2^30 bytes). 0: no ceiling. */
const size = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+(B|KB|MB|GB|TB)$/, 'a size such as 500MB or 20GB')])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = /^(\d+)(B|KB|MB|GB|TB)$/.exec(v)!;
    return Number(m[1]) * SIZE_UNITS[m[2] as keyof typeof SIZE_UNITS];
  });

export const retentionSchema = z
  .object({
    /** Raw alerts that are evidence of no detection, after they were received (and processed). */
    alerts: duration.default(7 * DAY),
    /** Resolved incidents, after resolution — with their detections, evidence alerts, indicators, links, lookups, actions and responses. */
    incidents: duration.default(180 * DAY),
    /** Detections folded into no incident (suppressed), and the alerts only they kept; shadow-mode evidence of an entity not seen for as long. */
    detections: duration.default(30 * DAY),
    /** Outbox rows that are finished (delivered, dead, refused), after their last change. */
    outbox: duration.default(30 * DAY),
    /** The audit log. */
    audit: duration.default(365 * DAY),
    /** Quarantined input records. */
    quarantine: duration.default(30 * DAY),
    /** How often the job runs (it runs again at once while there is more to delete). */
    interval: duration.default(60_000),
    /** Rows deleted per transaction: small, so ingest never waits long behind a purge. */
    batch: z.number().int().positive().max(50_000).default(1000),
    /** Disk the store may use (SQLite: the file and its WAL; PostgreSQL: this schema's tables). 0: no ceiling. */
    diskCeiling: size.default(0),
    /** Warn (log and vigil_store_disk_warning 1) when disk use passes this fraction of diskCeiling. */
    diskWarning: z.number().gt(0).max(1).default(0.8),
  })
  .strict();

export type RetentionConfig = z.infer<typeof retentionSchema>;

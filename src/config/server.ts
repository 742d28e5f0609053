// Config sections of the running process: where it listens, ingest, dashboard auth, the database, logging.
import { z } from 'zod';
import { duration } from './fragments.js';

const listen = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'HOST:PORT, e.g. 127.0.0.1:8470')
  .default('127.0.0.1:8470');

export const metricsSchema = z
  .object({
    /**
     * Bearer token a scraper sends for /metrics on the main address (it names rules and counts, so it is not
     * public). Empty: one is generated and kept in the data directory (`metrics-token`).
     */
    token: z.string().default(''),
    /** A separate HOST:PORT serving only /metrics, without a token (e.g. 127.0.0.1:9464). Empty: none. */
    listen: z.union([z.literal(''), z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'HOST:PORT, e.g. 127.0.0.1:9464')]).default(''),
  })
  .strict();

export const serverSchema = z
  .object({
    listen,
    /** Largest request body accepted, in bytes. */
    bodyLimit: z.number().int().positive().default(10 * 1024 * 1024),
    /** Who may read the Prometheus metrics. */
    metrics: metricsSchema.default(metricsSchema.parse({})),
  })
  .strict();

export const ingestSchema = z
  .object({
    /** Bearer token for the ingest endpoint. Empty: one is generated and kept in the data directory. */
    token: z.string().default(''),
    /** Recorded-but-unprocessed alerts above which the webhook answers 503 and the file and indexer sources pause. */
    maxBacklog: z.number().int().positive().default(50_000),
    /** The Retry-After given with a 503 while the pipeline catches up. */
    retryAfter: duration.default(5_000),
    /** Longest single alert (a line of alerts.json, a syslog message) kept; longer ones are quarantined. */
    maxAlertBytes: z.number().int().positive().default(1024 * 1024),
  })
  .strict();

export const authSchema = z
  .object({
    /** How long a dashboard login lasts. */
    sessionTtl: duration.default(12 * 3_600_000),
    /** Mark the session cookie Secure (sent over HTTPS, and by browsers to localhost). Off only behind plain HTTP on a trusted network. */
    secureCookies: z.boolean().default(true),
    /** Login attempts allowed per client address per minute. */
    loginAttemptsPerMinute: z.number().int().positive().default(10),
    /** Key that signs the session cookie. Empty: one is generated and kept in the data directory. */
    cookieSecret: z.string().default(''),
  })
  .strict();

export const databaseSchema = z
  .object({
    /** A SQLite file path, `:memory:`, or a `postgres://` URL. */
    url: z.string().min(1).default('./data/vigil.db'),
  })
  .strict();

export const logSchema = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** auto: readable on a terminal, JSON otherwise. */
    format: z.enum(['auto', 'json', 'pretty']).default('auto'),
  })
  .strict();

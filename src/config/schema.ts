// The one schema of vigil.yaml. Every key documented in vigil.example.yaml is declared here, and only here.
// Objects are strict: a misspelt key is an error that names it, not a silently ignored setting.
import { z } from 'zod';

const duration = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30s, 5m, 2h or 1d')])
  .transform((v) => (typeof v === 'number' ? v * 1000 : parseDuration(v)));

export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

const listen = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'HOST:PORT, e.g. 127.0.0.1:8470')
  .default('127.0.0.1:8470');

export const serverSchema = z
  .object({
    listen,
    /** Largest request body accepted, in bytes. */
    bodyLimit: z.number().int().positive().default(10 * 1024 * 1024),
  })
  .strict();

export const ingestSchema = z
  .object({
    /** Bearer token for the ingest endpoint. Empty: one is generated and kept in the data directory. */
    token: z.string().default(''),
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

export const rulesSchema = z
  .object({
    /** Load the rule pack shipped in `rules/`. */
    builtin: z.boolean().default(true),
    /** More rule files or folders. */
    paths: z.array(z.string()).default([]),
  })
  .strict();

export const detectSchema = z
  .object({
    /** Most correlation groups kept at once; beyond it the oldest are evicted and counted. */
    maxGroups: z.number().int().positive().default(1_000_000),
    /** How late an event may arrive and still count in its window. */
    lateness: duration.default(60_000),
  })
  .strict();

export const emailSchema = z
  .object({
    enabled: z.boolean().default(false),
    host: z.string().default('localhost'),
    port: z.number().int().min(1).max(65535).default(587),
    /** true: implicit TLS (port 465). false: plain, upgraded by STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    /** Refuse to send unless STARTTLS succeeds. */
    requireTLS: z.boolean().default(false),
    user: z.string().default(''),
    pass: z.string().default(''),
    from: z.string().default('Vigil <vigil@localhost>'),
    to: z.array(z.string()).default([]),
    /** Check the server's certificate (turn off only for a lab relay with a self-signed certificate). */
    tlsRejectUnauthorized: z.boolean().default(true),
    /** IANA time zone in which times are shown, e.g. Europe/Berlin. */
    timezone: z.string().default('UTC'),
  })
  .strict();

export const channelsSchema = z
  .object({
    email: emailSchema.default(emailSchema.parse({})),
  })
  .strict();

export const logSchema = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** auto: readable on a terminal, JSON otherwise. */
    format: z.enum(['auto', 'json', 'pretty']).default('auto'),
  })
  .strict();

export const configSchema = z
  .object({
    server: serverSchema.default(serverSchema.parse({})),
    ingest: ingestSchema.default(ingestSchema.parse({})),
    auth: authSchema.default(authSchema.parse({})),
    database: databaseSchema.default(databaseSchema.parse({})),
    rules: rulesSchema.default(rulesSchema.parse({})),
    detect: detectSchema.default(detectSchema.parse({})),
    channels: channelsSchema.default(channelsSchema.parse({})),
    log: logSchema.default(logSchema.parse({})),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type EmailConfig = z.infer<typeof emailSchema>;

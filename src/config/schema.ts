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
    /** Values of Sigma `%name%` placeholders, used by the `|expand` modifier. */
    placeholders: z.record(z.string(), z.array(z.string()).min(1)).default({}),
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

// ---- enrich: providers, keys, quotas, cache lifetimes, verdict → severity. Defaults are the free tiers. ----
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const cidr = z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'a CIDR range such as 10.20.0.0/16 or fd00::/8');

/** How long a result is reused, by verdict; `notFound`: the provider knows nothing of the indicator. */
const ttlSchema = (d: { malicious: number; suspicious: number; harmless: number; unknown: number; notFound: number }) =>
  z
    .object({
      malicious: duration.default(d.malicious),
      suspicious: duration.default(d.suspicious),
      harmless: duration.default(d.harmless),
      unknown: duration.default(d.unknown),
      notFound: duration.default(d.notFound),
    })
    .strict()
    .default(d);

const quotaSchema = (perMinute: number, perDay: number) =>
  z
    .object({
      /** Most calls in any rolling minute; 0: no per-minute limit. */
      perMinute: z.number().int().nonnegative().default(perMinute),
      /** Most calls per UTC day; 0: no daily limit. */
      perDay: z.number().int().nonnegative().default(perDay),
    })
    .strict()
    .default({ perMinute, perDay });

export const virusTotalSchema = z
  .object({
    enabled: z.boolean().default(false),
    apiKey: z.string().default(''),
    baseUrl: z.string().url().default('https://www.virustotal.com'),
    guiUrl: z.string().url().default('https://www.virustotal.com/gui'),
    /** The public API: 4 requests/minute and 500/day. */
    quota: quotaSchema(4, 500),
    ttl: ttlSchema({ malicious: 7 * DAY, suspicious: DAY, harmless: DAY, unknown: DAY, notFound: DAY }),
    /** Engines flagging an indicator malicious from which the verdict is `malicious` (fewer but some: `suspicious`). */
    maliciousThreshold: z.number().int().positive().default(3),
  })
  .strict();

export const abuseIpDbSchema = z
  .object({
    enabled: z.boolean().default(false),
    apiKey: z.string().default(''),
    baseUrl: z.string().url().default('https://api.abuseipdb.com'),
    /** Reports older than this are ignored by AbuseIPDB (1–365 days). */
    maxAgeInDays: z.number().int().min(1).max(365).default(90),
    /** The free plan: 1,000 checks/day. */
    quota: quotaSchema(0, 1000),
    ttl: ttlSchema({ malicious: DAY, suspicious: DAY, harmless: DAY, unknown: DAY, notFound: DAY }),
    /** Abuse confidence score (0–100) from which the verdict is `malicious`; from half of it `suspicious`. */
    maliciousScore: z.number().int().min(1).max(100).default(75),
  })
  .strict();

export const geoIpSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** A MaxMind-format city database (.mmdb). Empty: the DB-IP Lite city database installed with Vigil. */
    cityDatabase: z.string().default(''),
    /** A MaxMind-format ASN database (.mmdb, e.g. GeoLite2-ASN). Empty: no ASN from GeoIP. */
    asnDatabase: z.string().default(''),
  })
  .strict();

export const agentInventorySchema = z
  .object({
    /** Look the incident's host up in the Wazuh agent inventory (when the Wazuh API is configured). */
    enabled: z.boolean().default(true),
    ttl: duration.default(10 * MIN),
  })
  .strict();

export const reverseDnsSchema = z
  .object({
    enabled: z.boolean().default(false),
    timeout: duration.default(2000),
    /** Resolvers (`IP` or `IP:PORT`); empty: the system's. */
    servers: z.array(z.string()).default([]),
    ttl: duration.default(HOUR),
  })
  .strict();

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
    /** Levels a malicious verdict raises an incident by (capped at critical); 0: never. */
    raiseBy: z.number().int().min(0).max(4).default(1),
    virustotal: virusTotalSchema.default(virusTotalSchema.parse({})),
    abuseipdb: abuseIpDbSchema.default(abuseIpDbSchema.parse({})),
    geoip: geoIpSchema.default(geoIpSchema.parse({})),
    agents: agentInventorySchema.default(agentInventorySchema.parse({})),
    reverseDns: reverseDnsSchema.default(reverseDnsSchema.parse({})),
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
    enrich: enrichSchema.default(enrichSchema.parse({})),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type EmailConfig = z.infer<typeof emailSchema>;
export type EnrichConfig = z.infer<typeof enrichSchema>;
export type VirusTotalConfig = z.infer<typeof virusTotalSchema>;
export type AbuseIpDbConfig = z.infer<typeof abuseIpDbSchema>;
export type GeoIpConfig = z.infer<typeof geoIpSchema>;
export type ReverseDnsConfig = z.infer<typeof reverseDnsSchema>;
export type TtlConfig = VirusTotalConfig['ttl'];

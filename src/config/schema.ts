// The one schema of vigil.yaml. Every key documented in vigil.example.yaml is declared here, and only here.
// Objects are strict: a misspelt key is an error that names it, not a silently ignored setting.
import { isIP } from 'node:net';
import { z } from 'zod';
import { playbooksSchema } from './playbooks.js';

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
    /** `vigil serve`: how far ahead of the clock an event time may be and still be correlated. */
    maxFuture: duration.default(86_400_000),
    /** Values of Sigma `%name%` placeholders, used by the `|expand` modifier. */
    placeholders: z.record(z.string(), z.array(z.string()).min(1)).default({}),
  })
  .strict();

/** Known providers' SMTP endpoints; explicit keys win over a preset. */
export const SMTP_PRESETS = {
  mailtrap: { host: 'sandbox.smtp.mailtrap.io', port: 2525, secure: false, requireTLS: true },
  gmail: { host: 'smtp.gmail.com', port: 465, secure: true, requireTLS: false },
  m365: { host: 'smtp.office365.com', port: 587, secure: false, requireTLS: true },
} as const;

export const emailSchema = z
  .object({
    enabled: z.boolean().default(false),
    host: z.string().optional(),
    port: z.number().int().min(1).max(65535).optional(),
    /** true: implicit TLS (port 465). false: plain, upgraded by STARTTLS when the server offers it. */
    secure: z.boolean().optional(),
    /** Refuse to send unless STARTTLS succeeds. */
    requireTLS: z.boolean().optional(),
    user: z.string().default(''),
    pass: z.string().default(''),
    from: z.string().default('Vigil <vigil@localhost>'),
    /** Recipients: an address, or `{ address, timezone }` to show that reader times in their own zone. */
    to: z.array(z.union([z.string(), z.object({ address: z.string(), timezone: z.string().optional() }).strict()])).default([]),
    /** Fills host, port and TLS for a known provider: mailtrap, gmail or m365. Keys set here win. */
    preset: z.enum(['', 'mailtrap', 'gmail', 'm365']).default(''),
    /** Check the server's certificate (turn off only for a lab relay with a self-signed certificate). */
    tlsRejectUnauthorized: z.boolean().default(true),
    /** PEM file of a CA to trust besides the system's (a relay with a private CA). */
    caFile: z.string().default(''),
    /** IANA time zone in which times are shown, e.g. Europe/Berlin. */
    timezone: z.string().default('UTC'),
  })
  .strict()
  .transform((c) => {
    const preset = c.preset ? SMTP_PRESETS[c.preset] : undefined;
    return {
      ...c,
      host: c.host ?? preset?.host ?? 'localhost',
      port: c.port ?? preset?.port ?? 587,
      secure: c.secure ?? preset?.secure ?? false,
      requireTLS: c.requireTLS ?? preset?.requireTLS ?? false,
    };
  });

const httpsUrl = z.string().regex(/^https?:\/\//, 'an http(s) URL');
const optionalUrl = z.union([httpsUrl, z.literal('')]).default('');

export const slackSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Incoming webhook URL (https://hooks.slack.com/services/…). Messages cannot be threaded this way. */
    webhookUrl: optionalUrl,
    /** Bot token (xoxb-…) and channel id: chat.postMessage, so updates reply in the incident's thread. */
    token: z.string().default(''),
    channel: z.string().default(''),
    /** Web API base, for a proxy or a test double. */
    apiUrl: httpsUrl.default('https://slack.com/api'),
    timezone: z.string().default('UTC'),
  })
  .strict();

export const teamsSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The URL of a Teams workflow "When a Teams webhook request is received" (Post card in a chat or channel). */
    webhookUrl: optionalUrl,
    timezone: z.string().default('UTC'),
  })
  .strict();

export const webhookSchema = z
  .object({
    enabled: z.boolean().default(false),
    url: optionalUrl,
    /** HMAC-SHA256 key for the X-Vigil-Signature header. Empty: unsigned. */
    secret: z.string().default(''),
    /** Extra request headers, e.g. an Authorization for the receiver. */
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const pagerdutySchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Integration (routing) key of an Events API v2 integration on a service. */
    routingKey: z.string().default(''),
    url: httpsUrl.default('https://events.pagerduty.com/v2/enqueue'),
  })
  .strict();

export const jiraSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** https://your-site.atlassian.net */
    url: optionalUrl,
    /** Atlassian account email and API token (basic auth). */
    user: z.string().default(''),
    token: z.string().default(''),
    project: z.string().default(''),
    issueType: z.string().default('Task'),
    /** Labels added to every issue, besides the incident's own `vigil-<id>` label used to find it again. */
    labels: z.array(z.string()).default(['vigil']),
    /** Transition name applied when the incident resolves (empty: comment only). */
    resolveTransition: z.string().default(''),
  })
  .strict();

export const servicenowSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** https://your-instance.service-now.com */
    url: optionalUrl,
    user: z.string().default(''),
    password: z.string().default(''),
    /** Table API table, normally incident. */
    table: z.string().default('incident'),
    assignmentGroup: z.string().default(''),
    /** close_code set with the resolved state (must be one of the instance's close codes). */
    closeCode: z.string().default('Solution provided'),
    /** Extra fields set on create, e.g. { category: security }. */
    fields: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export const thehiveSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** https://thehive.example.org (TheHive 5) */
    url: optionalUrl,
    apiKey: z.string().default(''),
    /** Organisation to act in (X-Organisation header); empty: the key's default. */
    organisation: z.string().default(''),
    /** TLP and PAP of created alerts, 0 (white/clear) to 4 (red). */
    tlp: z.number().int().min(0).max(4).default(2),
    pap: z.number().int().min(0).max(3).default(2),
  })
  .strict();

export const channelsSchema = z
  .object({
    email: emailSchema.default(emailSchema.parse({})),
    slack: slackSchema.default(slackSchema.parse({})),
    teams: teamsSchema.default(teamsSchema.parse({})),
    webhook: webhookSchema.default(webhookSchema.parse({})),
    pagerduty: pagerdutySchema.default(pagerdutySchema.parse({})),
    jira: jiraSchema.default(jiraSchema.parse({})),
    servicenow: servicenowSchema.default(servicenowSchema.parse({})),
    thehive: thehiveSchema.default(thehiveSchema.parse({})),
  })
  .strict();

const addressOrCidr = z.string().refine((v) => isCidrOrAddress(v), 'an IP address or CIDR such as 203.0.113.0/24');

export function isCidrOrAddress(v: string): boolean {
  const [addr, bits, ...rest] = v.split('/');
  if (rest.length > 0 || !addr || isIP(addr) === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (isIP(addr) === 4 ? 32 : 128);
}

export const outboxSchema = z
  .object({
    /** Attempts before an action is dead-lettered (kept, visible, retried by hand). */
    maxAttempts: z.number().int().min(1).default(12),
    /** First retry delay; doubled each attempt (with jitter) up to maxDelay. */
    baseDelay: duration.default(2_000),
    maxDelay: duration.default(15 * 60_000),
    /** How often the worker looks for due actions when not woken. */
    poll: duration.default(1_000),
    /** Consecutive failures that open a channel's circuit breaker: its actions wait instead of burning attempts. */
    breakerFailures: z.number().int().min(1).default(5),
    /** How long an open breaker waits before letting one action through to probe the channel. */
    breakerCooldown: duration.default(30_000),
  })
  .strict();

export const responseSchema = z
  .object({
    /** Addresses and networks never blocked. */
    allowlist: z.array(addressOrCidr).default([]),
    /** Agent names or ids whose addresses (from the inventory) are never blocked. */
    allowAssets: z.array(z.string()).default([]),
    /** Allow blocking private, loopback, link-local and CGNAT addresses (off: they are refused). */
    allowPrivate: z.boolean().default(false),
    /** The Wazuh manager's addresses: never blocked. */
    managers: z.array(addressOrCidr).default([]),
    /** Gateways and other infrastructure: never blocked. */
    gateways: z.array(addressOrCidr).default([]),
    /** Blast-radius cap: most blocks started in any hour; beyond it blocks are refused and audited. */
    maxBlocksPerHour: z.number().int().min(0).default(10),
    /** Block durations by offence: the first block lasts durations[0], a repeat offender's the next one. */
    durations: z.array(duration).min(1).default([3_600_000, 6 * 3_600_000, 24 * 3_600_000, 7 * 86_400_000]),
    /** How long an earlier block still counts towards a repeat offence. */
    repeatWindow: duration.default(30 * 86_400_000),
    /** Active-response commands for Linux/Unix agents (block, and unblock at expiry). */
    linux: z
      .object({ block: z.string().min(1).default('!firewall-drop'), unblock: z.string().min(1).default('!vigil-unblock.sh') })
      .strict()
      .default({ block: '!firewall-drop', unblock: '!vigil-unblock.sh' }),
    /** Active-response commands for Windows agents. */
    windows: z
      .object({ block: z.string().min(1).default('!netsh.exe'), unblock: z.string().min(1).default('!vigil-unblock.cmd') })
      .strict()
      .default({ block: '!netsh.exe', unblock: '!vigil-unblock.cmd' }),
  })
  .strict();

export const approvalsSchema = z
  .object({
    /** The URL people reach Vigil at, for approval links in messages, e.g. https://vigil.example.org. */
    publicUrl: z.string().default(''),
    /** HMAC key for approval links. Empty: one is generated once and kept in the data directory. */
    secret: z.string().default(''),
    /** How long an approval link is valid. */
    ttl: duration.default(3_600_000),
  })
  .strict();

export const actionsSchema = z
  .object({
    outbox: outboxSchema.default(outboxSchema.parse({})),
    response: responseSchema.default(responseSchema.parse({})),
    approvals: approvalsSchema.default(approvalsSchema.parse({})),
    /** A YAML file holding a list of playbooks, used with (after) the `playbooks:` list. */
    playbooksFile: z.string().default(''),
  })
  .strict();

export const wazuhApiSchema = z
  .object({
    /** Base URL of the Wazuh server API, e.g. https://wazuh-manager:55000. Empty: no API client. */
    url: z.string().default(''),
    user: z.string().default('wazuh-wui'),
    /** Write ${WAZUH_API_PASSWORD}; never the password itself. */
    password: z.string().default(''),
    /** PEM file of the CA that signed the API's certificate (Wazuh generates its own). */
    caFile: z.string().default(''),
    /** Check the API's TLS certificate. Turn off only in a lab. */
    verifyTls: z.boolean().default(true),
    /** Per-request timeout. */
    timeout: duration.default(10_000),
    /** How many times a 429 (rate limit) answer is retried, with backoff, before giving up. */
    rateLimitRetries: z.number().int().nonnegative().default(5),
  })
  .strict();

export const wazuhSchema = z
  .object({
    api: wazuhApiSchema.default(wazuhApiSchema.parse({})),
  })
  .strict();

const hostPort = z.string().regex(/^$|^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'HOST:PORT, e.g. 0.0.0.0:5514, or empty for off');

export const alertsFileSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The alerts file Wazuh writes (alerts.json, one alert per line). */
    path: z.string().default('/var/ossec/logs/alerts/alerts.json'),
    /** With no checkpoint yet: read the file from its beginning, or only what is written from now on. */
    startAt: z.enum(['end', 'beginning']).default('end'),
    /** How often the file is checked for new lines, rotation and truncation. */
    pollInterval: duration.default(250),
  })
  .strict();

export const indexerSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The Wazuh indexer (OpenSearch), e.g. https://wazuh-indexer:9200. */
    url: z.string().default('https://127.0.0.1:9200'),
    index: z.string().default('wazuh-alerts-4.x-*'),
    user: z.string().default('admin'),
    password: z.string().default(''),
    caFile: z.string().default(''),
    verifyTls: z.boolean().default(true),
    /** Only alerts of this Wazuh rule level or higher (0: all). */
    minLevel: z.number().int().min(0).max(16).default(0),
    /** Time between polls. */
    interval: duration.default(5_000),
    /** How far back each poll looks again, for documents that became searchable late (refresh, ingest lag). */
    overlap: duration.default(60_000),
    /** Documents per request. */
    pageSize: z.number().int().min(1).max(10_000).default(500),
    /** With no checkpoint yet: how far back the first poll starts. */
    lookback: duration.default(0),
    timeout: duration.default(30_000),
  })
  .strict();

export const syslogSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** UDP HOST:PORT (Wazuh's syslog_output sends UDP); empty: off. */
    udp: hostPort.default('127.0.0.1:5514'),
    /** TCP HOST:PORT (octet-counted or newline framing, e.g. through rsyslog); empty: off. */
    tcp: hostPort.default(''),
  })
  .strict();

export const sourcesSchema = z
  .object({
    alertsFile: alertsFileSchema.default(alertsFileSchema.parse({})),
    indexer: indexerSchema.default(indexerSchema.parse({})),
    syslog: syslogSchema.default(syslogSchema.parse({})),
  })
  .strict();
const names = z.array(z.string().min(1)).default([]);

export const assetsSchema = z
  .object({
    /** Host names (Wazuh agent names, Windows computer names) whose incidents score higher. */
    criticalHosts: names,
    /** User names whose incidents score higher. */
    criticalUsers: names,
    /** Named groups of hosts and users, e.g. `domain-controllers: { hosts: [DC01, DC02] }`. */
    groups: z.record(z.string(), z.object({ hosts: names, users: names }).strict()).default({}),
    /** Groups (from `groups`) whose members are critical. */
    criticalGroups: names,
  })
  .strict();

export const triageSchema = z
  .object({
    /** Same fingerprint within this long of the incident's last event: the incident is updated. Also the auto-resolve delay. */
    quietPeriod: duration.default(3_600_000),
    /** A detection within this long of a resolved incident's last event reopens it. */
    reopenWindow: duration.default(86_400_000),
    /** How often serve mode looks for incidents to auto-resolve. */
    sweepInterval: duration.default(60_000),
    assets: assetsSchema.default(assetsSchema.parse({})),
  })
  .strict();

export const llmSchema = z
  .object({
    /** Let an LLM write incident summaries (the template summary goes first; the LLM's follows as an update). */
    enabled: z.boolean().default(false),
    /** An OpenAI-compatible API root: https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama), a vLLM or llama.cpp server. */
    baseUrl: z.string().url().default('http://127.0.0.1:11434/v1'),
    /** Bearer key (empty: none is sent). */
    apiKey: z.string().default(''),
    model: z.string().default(''),
    /** Whole-request timeout. */
    timeout: duration.default(30_000),
    /** Most tokens one answer may use (max_tokens). */
    maxTokens: z.number().int().positive().default(700),
    /** Most tokens (prompt + answer, as the server reports) per UTC day; 0: no limit. Past it the template stands. */
    tokenBudget: z.number().int().nonnegative().default(200_000),
    /** Evidence fields (by name, case-insensitive) replaced by "[redacted]" before anything is sent. */
    redact: z.array(z.string()).default([]),
    /** `json_schema` (OpenAI, vLLM, llama.cpp, Ollama ≥ 0.5) or `json_object` for servers without structured outputs. */
    responseFormat: z.enum(['json_schema', 'json_object']).default('json_schema'),
    /** Answers kept per incident fingerprint and evidence, so the same facts are not asked twice. */
    cacheSize: z.number().int().nonnegative().default(500),
  })
  .strict()
  .refine((l) => !l.enabled || l.model !== '', { message: 'llm.model is required when llm.enabled is true', path: ['model'] });

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
    /** Above 0: verdicts feed triage's severity score (src/enrich/severity.ts); 0: never. */
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
    actions: actionsSchema.default(actionsSchema.parse({})),
    playbooks: playbooksSchema.default([]),
    log: logSchema.default(logSchema.parse({})),
    enrich: enrichSchema.default(enrichSchema.parse({})),
    wazuh: wazuhSchema.default(wazuhSchema.parse({})),
    sources: sourcesSchema.default(sourcesSchema.parse({})),
    triage: triageSchema.default(triageSchema.parse({})),
    llm: llmSchema.default(llmSchema.parse({})),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type EmailConfig = z.infer<typeof emailSchema>;
export type TriageConfig = z.infer<typeof triageSchema>;
export type LlmConfig = z.infer<typeof llmSchema>;
export type EnrichConfig = z.infer<typeof enrichSchema>;
export type VirusTotalConfig = z.infer<typeof virusTotalSchema>;
export type AbuseIpDbConfig = z.infer<typeof abuseIpDbSchema>;
export type GeoIpConfig = z.infer<typeof geoIpSchema>;
export type ReverseDnsConfig = z.infer<typeof reverseDnsSchema>;
export type TtlConfig = VirusTotalConfig['ttl'];
export type SlackConfig = z.infer<typeof slackSchema>;
export type TeamsConfig = z.infer<typeof teamsSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;
export type PagerDutyConfig = z.infer<typeof pagerdutySchema>;
export type JiraConfig = z.infer<typeof jiraSchema>;
export type ServiceNowConfig = z.infer<typeof servicenowSchema>;
export type TheHiveConfig = z.infer<typeof thehiveSchema>;
export type OutboxConfig = z.infer<typeof outboxSchema>;
export type ResponseConfig = z.infer<typeof responseSchema>;
export type ApprovalsConfig = z.infer<typeof approvalsSchema>;
export type ActionsConfig = z.infer<typeof actionsSchema>;
export type WazuhApiConfig = z.infer<typeof wazuhApiSchema>;
export type AlertsFileConfig = z.infer<typeof alertsFileSchema>;
export type IndexerConfig = z.infer<typeof indexerSchema>;
export type SyslogConfig = z.infer<typeof syslogSchema>;

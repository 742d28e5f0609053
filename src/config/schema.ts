// The one schema of vigil.yaml, assembled. Every key documented in vigil.example.yaml is declared once: a
// channel's, provider's or source's section beside its code (registered in act/channels, enrich/providers,
// sources), the other sections in config/<area>.ts. Objects are strict: a misspelt key is an error that names it,
// not a silently ignored setting. Where a new section goes: see the README's "Layout".
import { z } from 'zod';
import { channelsShape } from '../act/channels/index.js';
import { sourcesShape } from '../sources/index.js';
import { actionsSchema } from './actions.js';
import { detectSchema, rulesSchema } from './detect.js';
import { enrichSchema } from './enrich.js';
import { playbooksSchema } from './playbooks.js';
import { authSchema, databaseSchema, ingestSchema, logSchema, serverSchema } from './server.js';
import { llmSchema, triageSchema } from './triage.js';
import { wazuhSchema } from './wazuh.js';
import { retentionSchema } from './store.js';
import { clusterSchema } from './cluster.js';
import { riskSchema } from './risk.js';
import { tuningSchema } from './tuning.js';

export * from './actions.js';
export * from './detect.js';
export * from './enrich.js';
export * from './server.js';
export * from './store.js';
export * from './triage.js';
export * from './risk.js';
export * from './tuning.js';
export * from './wazuh.js';
export * from './cluster.js';
export { isCidrOrAddress, parseDuration, type TtlConfig } from './fragments.js';
export { SMTP_PRESETS, emailSchema, type EmailConfig } from '../act/channels/email.js';
export { slackSchema, type SlackConfig } from '../act/channels/slack.js';
export { teamsSchema, type TeamsConfig } from '../act/channels/teams.js';
export { webhookSchema, type WebhookConfig } from '../act/channels/webhook.js';
export { pagerdutySchema, type PagerDutyConfig } from '../act/channels/pagerduty.js';
export { jiraSchema, type JiraConfig } from '../act/channels/jira.js';
export { servicenowSchema, type ServiceNowConfig } from '../act/channels/servicenow.js';
export { thehiveSchema, type TheHiveConfig } from '../act/channels/thehive.js';
export { virusTotalSchema, type VirusTotalConfig } from '../enrich/providers/virustotal.js';
export { abuseIpDbSchema, type AbuseIpDbConfig } from '../enrich/providers/abuseipdb.js';
export { geoIpSchema, type GeoIpConfig } from '../enrich/providers/geoip.js';
export { agentInventorySchema } from '../enrich/providers/wazuh-agent.js';
export { reverseDnsSchema, type ReverseDnsConfig } from '../enrich/providers/reverse-dns.js';
export { alertsFileSchema, type AlertsFileConfig } from '../sources/alerts-file.js';
export { indexerSchema, type IndexerConfig } from '../sources/indexer.js';
export { syslogSchema, type SyslogConfig } from '../sources/syslog.js';

/** `channels:` one key per registered channel. */
export const channelsSchema = z.object(channelsShape).strict();
/** `sources:` one key per registered source. */
export const sourcesSchema = z.object(sourcesShape).strict();

/** Each section defaults to its own defaults, so an empty file is a whole config. */
function withDefaults<T extends Record<string, z.ZodType>>(sections: T): { [K in keyof T]: z.ZodDefault<T[K]> } {
  return Object.fromEntries(Object.entries(sections).map(([k, s]) => [k, s.default(s.parse({}) as never)])) as never;
}

export const configSchema = z
  .object(
    withDefaults({ server: serverSchema, ingest: ingestSchema, auth: authSchema, database: databaseSchema, log: logSchema }),
  )
  .extend(withDefaults({ rules: rulesSchema, detect: detectSchema, triage: triageSchema, risk: riskSchema, llm: llmSchema }))
  .extend({ ...withDefaults({ channels: channelsSchema, actions: actionsSchema }), playbooks: playbooksSchema.default([]) })
  .extend(withDefaults({ enrich: enrichSchema, wazuh: wazuhSchema, sources: sourcesSchema, retention: retentionSchema, cluster: clusterSchema }))
  .extend(withDefaults({ tuning: tuningSchema }))
  .strict();

export type Config = z.infer<typeof configSchema>;

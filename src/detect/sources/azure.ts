// Azure through the Wazuh module for Azure (wodle azure-logs). Every record arrives as JSON with its own keys at
// the top level, decoded into `data.*` by Wazuh's JSON decoder, tagged `data.azure_tag`:
// - Log Analytics (`azure-log-analytics`): one event per table row, `data.<Column>` (`Type` is the table:
//   AzureActivity, SigninLogs, AuditLogs, AADUserRiskEvents …) (wodles/azure/azure_services/analytics.py
//   iter_log_analytics_events);
// - Microsoft Graph (`azure-ad-graph`): one event per returned object (auditLogs/directoryAudits, auditLogs/signIns,
//   identityProtection/riskDetections …), its camelCase keys as Graph writes them (azure_services/graph.py);
// - Storage (`azure-storage`): the JSON records of a blob container, e.g. exported activity or Entra ID logs with
//   `category`, `operationName`, `properties.*` (azure_services/storage.py).
// Rules 87801-87813 (ruleset/rules/0555-azure_rules.xml @v4.14.7). Sigma's Azure rules use the field names of
// these schemas as written, so a field is the same key under `data`. Log Analytics returns dynamic columns
// (DeviceDetail, Status …) as JSON text: rules on their inner keys match the Graph and storage shapes only.
import { jsonFields, keywordTexts, type Gate, type NormalLogsource, type Source, type SourceSpec } from './source.js';

const d_ = (d: Record<string, unknown>) => (d.data ?? {}) as Record<string, unknown>;
const tag = (d: Record<string, unknown>) => d_(d).azure_tag;
const isAzure: Gate = (d) => typeof tag(d) === 'string';
const table = (...names: string[]): Gate => (d) => tag(d) === 'azure-log-analytics' && names.includes(String(d_(d).Type));
const storageCategory = (...names: string[]): Gate => (d) => tag(d) === 'azure-storage' && names.includes(String(d_(d).category));
const graph = (pred: (x: Record<string, unknown>) => boolean): Gate => (d) => tag(d) === 'azure-ad-graph' && pred(d_(d));
const anyOf = (...gates: Gate[]): Gate => (d) => gates.some((g) => g(d));

/** Activity log categories (Azure Monitor activity log schema). */
const ACTIVITY = ['Administrative', 'ServiceHealth', 'ResourceHealth', 'Alert', 'Autoscale', 'Security', 'Policy', 'Recommendation'];

const GATES: Record<string, Gate> = {
  activitylogs: anyOf(table('AzureActivity'), storageCategory(...ACTIVITY)),
  auditlogs: anyOf(table('AuditLogs'), storageCategory('AuditLogs'), graph((x) => 'activityDisplayName' in x && 'loggedByService' in x)),
  signinlogs: anyOf(
    table('SigninLogs', 'AADNonInteractiveUserSignInLogs'),
    storageCategory('SignInLogs', 'NonInteractiveUserSignInLogs'),
    graph((x) => 'createdDateTime' in x && 'userPrincipalName' in x && 'appDisplayName' in x),
  ),
  riskdetection: anyOf(table('AADUserRiskEvents'), storageCategory('UserRiskEvents'), graph((x) => 'riskEventType' in x)),
  // Entra ID Privileged Identity Management alerts and risk events (SigmaHQ's pim rules match riskEventType).
  pim: anyOf(table('AADUserRiskEvents'), storageCategory('UserRiskEvents'), graph((x) => 'riskEventType' in x)),
};

const source = (name: string, gate: Gate): Source => ({ name, gate, needle: '"azure_tag"', field: jsonFields(`azure ${name}`, ['data']), keywords: keywordTexts });

export const azureSources: SourceSpec = {
  resolve(ls: NormalLogsource): Source | undefined {
    if (ls.product !== 'azure' || ls.category) return undefined;
    if (!ls.service) return source('Azure (any)', isAzure);
    const gate = GATES[ls.service];
    return gate && source(`Azure ${ls.service}`, gate);
  },
};

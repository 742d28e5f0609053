// Microsoft 365 through the Wazuh module for Office 365 (wodle office365): each record of the Office 365
// Management Activity API arrives as {"integration":"office365","office365":{…the record…}} and is decoded into
// `data.office365.*` with the API's field names (`Operation`, `Workload`, `RecordType`, `UserId`, `ClientIP`,
// `ResultStatus`, `ObjectId`, `Parameters` …; real samples: wazuh/wazuh ruleset/testing/tests/office365.ini,
// rules 91532-91700 ruleset/rules/0755-office365_rules.xml @v4.14.7). SigmaHQ's threat_management,
// threat_detection and exchange rules match `eventSource`, `eventName` and `status`, the fields of another
// product's normalized alert feed, which Management Activity records do not have: they are refused.
import { jsonFields, keywordTexts, type Gate, type NormalLogsource, type Source, type SourceSpec } from './source.js';

const o365: Gate = (d) => (d.data as any)?.integration === 'office365';
const workload = (...w: string[]): Gate => (d) => o365(d) && w.includes(String((d.data as any)?.office365?.Workload));
const NOT_O365 = 'not a field of the Office 365 Management Activity records that Wazuh\'s office365 module writes (data.office365.*)';
const refuse = { eventSource: NOT_O365, eventName: NOT_O365, status: NOT_O365 };
const source = (name: string, gate: Gate): Source => ({ name, gate, key: 'integration:office365', needle: '"office365"', field: jsonFields(`m365 ${name}`, ['data', 'office365'], { refuse }), keywords: keywordTexts });

const SERVICES: Record<string, Source> = {
  audit: source('Microsoft 365 audit', o365),
  exchange: source('Microsoft 365 Exchange', workload('Exchange')),
  threat_management: source('Microsoft 365 threat management', workload('SecurityComplianceCenter')),
  threat_detection: source('Microsoft 365 threat detection', workload('SecurityComplianceCenter')),
  azureactivedirectory: source('Microsoft 365 Entra ID', workload('AzureActiveDirectory')),
  sharepoint: source('Microsoft 365 SharePoint', workload('SharePoint', 'OneDrive')),
};

export const m365Sources: SourceSpec = {
  resolve(ls: NormalLogsource): Source | undefined {
    if ((ls.product !== 'm365' && ls.product !== 'office365') || ls.category) return undefined;
    if (!ls.service) return SERVICES.audit;
    return SERVICES[ls.service];
  },
};

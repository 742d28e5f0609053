// Google Cloud through the Wazuh module for GCP (gcp-pubsub / gcp-bucket): each LogEntry is sent as
// {"integration":"gcp","gcp":{…the LogEntry…}} and decoded into `data.gcp.*` (`protoPayload.methodName`,
// `protoPayload.serviceName`, `resource.type`, `logName` …; wazuh/wazuh ruleset/testing/tests/gcp.ini and
// ruleset/rules/0690-gcp_rules.xml @v4.14.7). Audit log entries are those whose protoPayload is an AuditLog.
// SigmaHQ's gcp.audit rules name fields two ways: Elastic's `gcp.audit.*` names for the AuditLog fields, mapped
// here to the LogEntry's own, and `data.protoPayload.*`, the same LogEntry under `data`. Google Workspace reports
// (`google_workspace.*`) have no Wazuh module and stay unsupported.
import { accessor } from '../fields.js';
import { UnsupportedError } from '../sigma/values.js';
import { jsonAccessor, jsonFields, keywordTexts, type NormalLogsource, type Source, type SourceSpec } from './source.js';

const gcp = (d: Record<string, unknown>) => {
  const data = d.data as any;
  return data?.gcp !== null && typeof data?.gcp === 'object' && (data.integration === 'gcp' || data.integration === undefined);
};
const isAudit = (d: Record<string, unknown>) => {
  const g = (d.data as any)?.gcp;
  return gcp(d) && (g?.protoPayload?.['@type'] === 'type.googleapis.com/google.cloud.audit.AuditLog' || /cloudaudit\.googleapis\.com/.test(String(g?.logName ?? '')));
};

/** Elastic's gcp.audit.* names → the AuditLog fields of the LogEntry. */
const ECS: Record<string, string> = {
  'gcp.audit.method_name': 'protoPayload.methodName',
  'gcp.audit.service_name': 'protoPayload.serviceName',
  'gcp.audit.resource_name': 'protoPayload.resourceName',
  'gcp.audit.principal_email': 'protoPayload.authenticationInfo.principalEmail',
  'gcp.audit.caller_ip': 'protoPayload.requestMetadata.callerIp',
};

const base = jsonFields('gcp', ['data', 'gcp']);
function field(name: string) {
  const ecs = ECS[name];
  if (ecs) return jsonAccessor(['data', 'gcp', ...ecs.split('.')]);
  if (name.startsWith('gcp.audit.')) throw new UnsupportedError(`field "${name}" of gcp.audit: no AuditLog field is mapped to it`);
  if (name.startsWith('data.protoPayload.')) return jsonAccessor(['data', 'gcp', ...name.slice(5).split('.')]);
  return name === 'data' ? accessor(['data', 'gcp']) : base(name);
}

const audit: Source = { name: 'GCP audit logs', gate: isAudit, field, keywords: keywordTexts };
const anyGcp: Source = { name: 'GCP (any)', gate: gcp, field, keywords: keywordTexts };

export const gcpSources: SourceSpec = {
  resolve(ls: NormalLogsource): Source | undefined {
    if (ls.product !== 'gcp' || ls.category) return undefined;
    if (!ls.service) return anyGcp;
    if (ls.service === 'gcp.audit') return audit;
    if (ls.service.startsWith('google_workspace'))
      throw new UnsupportedError(`logsource gcp service "${ls.service}": Google Workspace reports have no Wazuh module`);
    return undefined;
  },
};

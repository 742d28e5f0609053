// AWS through the Wazuh module for AWS (wodle aws-s3). Each record becomes
// {"integration":"aws","aws":{…the record…,"source":"cloudtrail"|"guardduty"|…,"log_info":{…}}}, decoded by
// Wazuh's JSON decoder into `data.integration` and `data.aws.*` (wazuh/wazuh wodles/aws/buckets_s3/aws_bucket.py
// AWS_BUCKET_MSG_TEMPLATE / get_alert_msg, cloudtrail.py, guardduty.py @v4.14.7; rules 80200-80303,
// ruleset/rules/0350-amazon_rules.xml). The record keeps CloudTrail's own field names (`eventSource`,
// `eventName`, `userIdentity.type`, `responseElements.ConsoleLogin`, …); null fields are dropped and one-element
// lists become their element (aws_bucket.py reformat_msg), which matching a list element-wise covers.
// Wazuh alerts on CloudTrail events whose name is in its aws-eventnames list (80202) or that carry an error
// (80203); other events reach Vigil only from Wazuh's archives or a local rule.
import { fromIntegration, integrationSource, type NormalLogsource, type Source, type SourceSpec } from './source.js';

const aws = fromIntegration('aws');
/** One AWS service's records, by the `source` the Wazuh module gives them. */
const service = (source: string, name: string): Source =>
  integrationSource('aws', name, { gate: (d) => aws(d) && (d.data as any)?.aws?.source === source, needle: `"${source}"`, label: `aws ${source}` });
const cloudtrail = service('cloudtrail', 'AWS CloudTrail');
const guardduty = service('guardduty', 'AWS GuardDuty');
const anyAws = integrationSource('aws', 'AWS (any service)');

export const awsSources: SourceSpec = {
  resolve(ls: NormalLogsource): Source | undefined {
    if (ls.product !== 'aws' || ls.category) return undefined;
    if (!ls.service) return anyAws;
    if (ls.service === 'cloudtrail') return cloudtrail;
    if (ls.service === 'guardduty') return guardduty;
    return undefined;
  },
};

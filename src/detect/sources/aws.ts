// AWS through the Wazuh module for AWS (wodle aws-s3). Each record becomes
// {"integration":"aws","aws":{…the record…,"source":"cloudtrail"|"guardduty"|…,"log_info":{…}}}, decoded by
// Wazuh's JSON decoder into `data.integration` and `data.aws.*` (wazuh/wazuh wodles/aws/buckets_s3/aws_bucket.py
// AWS_BUCKET_MSG_TEMPLATE / get_alert_msg, cloudtrail.py, guardduty.py @v4.14.7; rules 80200-80303,
// ruleset/rules/0350-amazon_rules.xml). The record keeps CloudTrail's own field names (`eventSource`,
// `eventName`, `userIdentity.type`, `responseElements.ConsoleLogin`, …); null fields are dropped and one-element
// lists become their element (aws_bucket.py reformat_msg), which matching a list element-wise covers.
// Wazuh alerts on CloudTrail events whose name is in its aws-eventnames list (80202) or that carry an error
// (80203); other events reach Vigil only from Wazuh's archives or a local rule.
import { jsonFields, keywordTexts, type NormalLogsource, type Source, type SourceSpec } from './source.js';

const aws = (d: Record<string, unknown>) => (d.data as any)?.integration === 'aws';
const fromSource = (source: string) => (d: Record<string, unknown>) => aws(d) && (d.data as any)?.aws?.source === source;

const cloudtrail: Source = {
  name: 'AWS CloudTrail',
  gate: fromSource('cloudtrail'),
  key: 'integration:aws',
  needle: '"cloudtrail"',
  field: jsonFields('aws cloudtrail', ['data', 'aws']),
  keywords: keywordTexts,
};
const guardduty: Source = {
  name: 'AWS GuardDuty',
  gate: fromSource('guardduty'),
  key: 'integration:aws',
  needle: '"guardduty"',
  field: jsonFields('aws guardduty', ['data', 'aws']),
  keywords: keywordTexts,
};
const anyAws: Source = { name: 'AWS (any service)', gate: aws, key: 'integration:aws', needle: '"aws"', field: jsonFields('aws', ['data', 'aws']), keywords: keywordTexts };

export const awsSources: SourceSpec = {
  resolve(ls: NormalLogsource): Source | undefined {
    if (ls.product !== 'aws' || ls.category) return undefined;
    if (!ls.service) return anyAws;
    if (ls.service === 'cloudtrail') return cloudtrail;
    if (ls.service === 'guardduty') return guardduty;
    return undefined;
  },
};

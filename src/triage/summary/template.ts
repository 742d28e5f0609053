// The deterministic summary: built from the incident's facts alone, always available, good enough to act on.
// It contains no times (renderers show times in each recipient's zone) and only plain text (renderers escape).
import ipaddr from 'ipaddr.js';
import type { Indicator } from '../../model/index.js';
import type { EvidenceRow } from '../evidence.js';
import { logonPhrase, nameList, plural } from '../../model/wording.js';
import type { IncidentRecord, Summary } from '../types.js';

export interface SummaryFacts {
  incident: IncidentRecord;
  indicators: Indicator[];
  /** Evidence rows, newest detection first (a handful is enough). */
  evidence: EvidenceRow[];
}


export function span(ms: number): string {
  if (ms < 60_000) return plural(Math.max(1, Math.round(ms / 1000)), 'second');
  if (ms < 3_600_000) return plural(Math.round(ms / 60_000), 'minute');
  if (ms < 86_400_000) return plural(Math.round(ms / 3_600_000), 'hour');
  return plural(Math.round(ms / 86_400_000), 'day');
}

export function valuesOf(list: Indicator[], kind: Indicator['kind']): string[] {
  return list.filter((i) => i.kind === kind).map((i) => i.value);
}

function listed(values: string[], max = 5, incomplete = false): string {
  return nameList(values, max, incomplete);
}

const INTERNAL = new Set(['private', 'loopback', 'linkLocal', 'carrierGradeNat', 'uniqueLocal', 'unspecified']);

/** True for an address inside an organisation (RFC 1918, loopback, link-local, CGNAT, ULA). */
export function isInternalAddress(text: string): boolean {
  try {
    let ip = ipaddr.parse(text.trim());
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    return INTERNAL.has(ip.range());
  } catch {
    return false;
  }
}

export function templateSummary(f: SummaryFacts, now: number): Summary {
  const inc = f.incident;
  const ips = valuesOf(f.indicators, 'ip');
  const users = valuesOf(f.indicators, 'user');
  const hosts = valuesOf(f.indicators, 'host');
  const bruteForce = inc.mitre.some((t) => t.id.startsWith('T1110'));
  const capped = (kind: Indicator['kind']) => (inc.indicatorsCapped ?? []).includes(kind);

  const what = [
    `${inc.rule.title}: ${plural(inc.eventCount, 'event')} in ${plural(inc.detectionCount, 'detection')}` +
      (ips.length ? ` from ${listed(ips, 3, capped('ip'))}` : '') +
      (hosts.length ? ` against ${listed(hosts, 3, capped('host'))}` : '') +
      `, over ${span(inc.lastSeen - inc.firstSeen)}.`,
  ];
  if (inc.rule.description) what.push(inc.rule.description);
  // The accounts that got in, named from the logons themselves; the accounts the failures only targeted are not.
  const logons = inc.loggedOn ?? [];
  const gotIn = [...new Map(logons.map((l) => [l.user.toLowerCase(), l.user])).values()];
  const only = users.filter((u) => !gotIn.some((g) => g.toLowerCase() === u.toLowerCase()));
  if (logons.length) what.push(`${inc.escalated ? 'Escalated: ' : ''}${listed(logons.map((l) => logonPhrase(l)), 3)} logged on after the failures.`);
  else if (inc.escalated) what.push('Escalated: a successful logon from the same source followed the failures.');

  const affected: string[] = [];
  if (users.length) affected.push(`${users.length === 1 ? 'User' : 'Users'}: ${listed(users, 8, capped('user'))}.`);
  if (hosts.length) affected.push(`${hosts.length === 1 ? 'Host' : 'Hosts'}: ${listed(hosts, 5, capped('host'))}.`);
  const critical = inc.severity.reasons.filter((r) => r.factor === 'asset').map((r) => r.detail);
  if (critical.length) affected.push(`Critical assets: ${critical.join('; ')}.`);

  const evidence = f.evidence.slice(0, 5).map((e) => {
    const bits = [e.user && `user ${e.user}`, e.sourceIp && `from ${e.sourceIp}`, e.host && `on ${e.host}`, e.detail].filter(Boolean);
    return `alert ${e.eventId}: ${bits.join(', ')}`;
  });

  const verdicts = inc.enrichments.filter((e) => e.verdict !== 'error' && e.verdict !== 'unknown');
  const enrichment = verdicts.length
    ? verdicts.map((e) => `${e.indicator.value}: ${e.verdict} (${e.provider})`).join('; ') + '.'
    : 'No enrichment verdicts yet.';

  const steps: string[] = [];
  if (gotIn.length) {
    steps.push(
      gotIn.length === 1
        ? `Treat ${gotIn[0]} as compromised (it logged on): disable the account, reset its password and end its sessions.`
        : `Treat ${listed(gotIn, 3)} as compromised (they logged on): disable the accounts, reset their passwords and end their sessions.`,
    );
    if (only.length) steps.push(`${listed(only, 3, capped('user'))} ${only.length === 1 ? 'was' : 'were'} targeted but did not log on: confirm with ${only.length === 1 ? 'its owner' : 'their owners'}, no need to disable.`);
  } else if (inc.escalated && ips.length) {
    steps.push(`Find the account that logged on from ${listed(ips, 3, capped('ip'))} (Windows 4624, sshd "Accepted") and treat it as compromised: disable it, reset its password and end its sessions.`);
  }
  if (inc.escalated || gotIn.length) {
    if (hosts.length) steps.push(`Review what the session on ${listed(hosts, 3, capped('host'))} did; isolate the host if anything ran.`);
  }
  // An internal address is a host of ours to look at, never one to block at the firewall.
  const outside = ips.filter((ip) => !isInternalAddress(ip));
  const inside = ips.filter((ip) => isInternalAddress(ip));
  if (outside.length) steps.push(`Block ${listed(outside, 3, capped('ip'))} at the firewall (or with a Wazuh active response) unless it is a known scanner.`);
  if (inside.length) steps.push(`Find out what runs on ${listed(inside, 3, capped('ip'))} (an internal address): a compromised host, or a scanner of ours?`);
  const succeeded = inc.escalated || gotIn.length > 0;
  if (bruteForce && !succeeded && ips.length) steps.push(`Check for a successful logon from ${listed(ips, 3, capped('ip'))} since the first failure (Windows 4624, sshd "Accepted").`);
  if (bruteForce && users.length && !succeeded) steps.push(`Reset or lock ${listed(users, 3, capped('user'))} if a logon succeeded, and confirm with the account owner.`);
  if (steps.length === 0) steps.push('Review the evidence alerts in Wazuh and record a verdict (true positive, false positive or benign).');
  else steps.push('Record a verdict; a false positive can suppress this rule for this entity.');

  return {
    source: 'template',
    whatHappened: what.join(' '),
    affected: affected.join(' ') || 'No user or host named in the evidence.',
    evidence,
    enrichment,
    mitre: inc.mitre,
    nextSteps: steps,
    generatedAt: now,
  };
}

// Words that every rendering shares — the email, the chat message, the ticket, the summary and the dashboard —
// so a fact is phrased one way wherever an analyst reads it. Pure functions over plain values: the dashboard
// bundles this file too, so it imports nothing.

/** `1 event`, `6 events`; `many` for irregular plurals. Counts are grouped (`1,000 events`). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** `6 events in 1 detection`. */
export function countPhrase(events: number, detections: number): string {
  return `${plural(events, 'event')} in ${plural(detections, 'detection')}`;
}

/** `and 995 more events` when a list shows `shown` of `total`; '' when nothing is left out. */
export function andMore(shown: number, total: number, noun: string, nouns = `${noun}s`): string {
  const rest = total - shown;
  return rest > 0 ? `and ${rest.toLocaleString('en-US')} more ${rest === 1 ? noun : nouns}` : '';
}

/**
 * A list of names for a sentence, at most `max` named: `alice, bob and 3 more`. `incomplete`: the list is the
 * first of more values than were kept (an incident keeps a bounded number of each kind), so the rest is at
 * least what is listed: `alice, bob and 998+ more`.
 */
export function nameList(names: readonly string[], max = 10, incomplete = false): string {
  if (names.length <= max) return incomplete && names.length > 0 ? `${names.join(', ')} and more` : names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${(names.length - max).toLocaleString('en-US')}${incomplete ? '+' : ''} more`;
}

/**
 * Windows logon status and sub-status codes (NTSTATUS, as event 4625 and 4776 carry them), in words.
 * Source: Microsoft's documentation of event 4625 ("Status and Sub Status codes").
 */
const LOGON_STATUS: Record<string, string> = {
  '0xc0000064': 'unknown user name',
  '0xc000006a': 'bad password',
  '0xc000006d': 'bad user name or password',
  '0xc000006e': 'account restriction',
  '0xc000006f': 'logon outside allowed hours',
  '0xc0000070': 'workstation not allowed',
  '0xc0000071': 'password expired',
  '0xc0000072': 'account disabled',
  '0xc00000dc': 'server in the wrong state',
  '0xc0000133': 'clock out of sync with the domain controller',
  '0xc000015b': 'logon type not granted',
  '0xc000018c': 'trust relationship failed',
  '0xc0000192': 'Netlogon service not started',
  '0xc0000193': 'account expired',
  '0xc0000224': 'password must change at next logon',
  '0xc0000225': 'Windows bug, not a risk',
  '0xc0000234': 'account locked out',
  '0xc00002ee': 'failure during logon',
  '0xc0000413': 'authentication firewall refused the logon',
  '0xc000005e': 'no logon server available',
};

/** One status code in words, or undefined for a code not in the table. Case and `0X` do not matter. */
export function statusCode(code: string | undefined | null): string | undefined {
  if (typeof code !== 'string') return undefined;
  return LOGON_STATUS[code.trim().toLowerCase()];
}

/**
 * Why a logon failed, as people say it: the sub-status when it is more specific (a 4625 says `0xc000006d`
 * "bad user name or password" in Status and the real reason in SubStatus), else the status; an unknown code
 * is shown as it is.
 */
export function logonFailure(status?: string | null, subStatus?: string | null): string | undefined {
  const sub = subStatus && !/^0x0+$/i.test(subStatus.trim()) ? subStatus : undefined;
  return statusCode(sub) ?? statusCode(status) ?? sub ?? status ?? undefined;
}

/** `12 of 94 engines flagged it malicious, 2 suspicious`; `no engine flagged it (of 94)`. */
export function engineVerdict(malicious: number, suspicious: number, total: number): string {
  if (total === 0) return 'not analysed by any engine';
  if (malicious === 0 && suspicious === 0) return `no engine flagged it (of ${total})`;
  if (malicious === 0) return `${suspicious} of ${total} engines flagged it suspicious`;
  return `${malicious} of ${total} engines flagged it malicious${suspicious ? `, ${suspicious} suspicious` : ''}`;
}

const VERDICT_WORDS: Record<string, string> = { true_positive: 'true positive', false_positive: 'false positive', benign: 'benign' };

/** An analyst's verdict in words: `true positive`. */
export function verdictLabel(v: string): string {
  return VERDICT_WORDS[v] ?? v.replace(/_/g, ' ');
}

/** An incident's status in words. */
export function statusLabel(s: string): string {
  return s === 'acknowledged' ? 'acknowledged' : s === 'resolved' ? 'resolved' : s === 'open' ? 'open' : s;
}

/** Why an incident was resolved, as a phrase: `by alice (false positive)`, `after 30 quiet minutes`. */
export function resolutionLabel(resolution: string | undefined, by: string | undefined): string {
  const who = by && by !== 'system' ? `by ${by.replace(/^(user|token):/, '')}` : 'automatically';
  if (!resolution || resolution === 'analyst') return who;
  if (resolution === 'auto') return 'automatically (no new detection in the quiet period)';
  return `${who} (${verdictLabel(resolution)})`;
}

/** An actor as people read it: `user:alice` → `alice`, `system` → `Vigil`. */
export function actorLabel(actor: string): string {
  if (actor === 'system') return 'Vigil';
  return actor.replace(/^user:/, '').replace(/^token:(.*)$/, 'API token $1');
}

/**
 * What a decision on a proposed block led to, in words that match what ran: never "approved, it runs now" for
 * a block that was refused. The approval page and the dashboard both say it this way; `time` formats times.
 */
export function blockOutcome(
  r: { address: string; state: string; reason?: string; unblockAt?: number },
  decision: 'approve' | 'deny',
  time: (ms: number) => string,
): { title: string; text: string; tone: 'done' | 'refused' } {
  if (decision === 'deny' || r.state === 'denied') return { title: 'Block denied', text: 'Nothing will run.', tone: 'done' };
  switch (r.state) {
    case 'refused':
      return { title: 'Block approved, but refused', text: `Vigil refused to run it: ${r.reason ?? 'no reason was recorded'}. Nothing was sent to Wazuh.`, tone: 'refused' };
    case 'blocked':
      return { title: 'Block approved and run', text: `${r.address} is blocked${r.unblockAt ? ` until ${time(r.unblockAt)}` : ''}.`, tone: 'done' };
    case 'dry-run':
      return { title: 'Block approved (dry run)', text: 'The decision is recorded; in dry-run mode nothing is sent to Wazuh.', tone: 'done' };
    default:
      return { title: 'Block approved', text: 'It is queued to run on the agents; the incident page shows when it has run, or why it was refused.', tone: 'done' };
  }
}

/** The label of the logons an incident names: `Account that logged on`, or `Accounts that logged on`. */
export function logonLabel(n: number): string {
  return n === 1 ? 'Account that logged on' : 'Accounts that logged on';
}

/**
 * One successful logon as people read it: `svc_sql from 198.51.100.77 on WIN-DC01 at 2026-11-21 06:01:00 GMT+00:00`
 * (without `time`, no time: the summary leaves times to each reader's zone).
 */
export function logonPhrase(l: { user: string; sourceIp?: string; host?: string; time: number }, time?: (ms: number) => string): string {
  return `${l.user}${l.sourceIp ? ` from ${l.sourceIp}` : ''}${l.host ? ` on ${l.host}` : ''}${time ? ` at ${time(l.time)}` : ''}`;
}

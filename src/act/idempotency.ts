// The idempotency key of an action: `<incident>:<channel>:<revision>`, unique in the outbox, sent to remotes that
// dedupe (webhook header, Slack metadata, Jira marker, email Message-ID). Made here and read here only.
// Actions that are not per revision (a block, an unblock) carry a key of their own, which parses to undefined.

export interface IdempotencyParts {
  incidentId: string;
  channel: string;
  revision: number;
}

export function idempotencyKey(incidentId: string, channel: string, revision: number): string {
  return `${incidentId}:${channel}:${revision}`;
}

/** The parts of a per-revision key; undefined for any other key. Read from the right: an incident id may hold ':'. */
export function parseIdempotencyKey(key: string): IdempotencyParts | undefined {
  const m = /^(.*):([^:]+):(\d+)$/.exec(key);
  if (!m) return undefined;
  return { incidentId: m[1]!, channel: m[2]!, revision: Number(m[3]) };
}

/** The key of the first message about the same incident on the same channel (mail threads hang off it). */
export function firstKey(key: string): string {
  const p = parseIdempotencyKey(key);
  return p ? idempotencyKey(p.incidentId, p.channel, 1) : key;
}

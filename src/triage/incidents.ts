// Folding detections into incidents. A detection with the same fingerprint (rule + entity) as an open
// incident seen within the quiet period updates it; otherwise it opens a new incident that people hear about.
import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Detection, Incident, IncidentStatus, Level } from '../model/index.js';
import type { Database, IncidentTable } from '../store/schema.js';

export interface TriageOptions {
  /** An incident with no new detection for this long is no longer extended; the next one opens anew. */
  quietPeriod: number;
}

export interface TriageResult {
  incident: Incident;
  /** True when people should hear of this change (a new incident, for now). */
  notify: boolean;
}

/** The entity of a detection: its group-by values, or for a single-event rule the agent it came from. */
export function entityOf(d: Detection): Record<string, string> {
  if (Object.keys(d.group).length > 0) return d.group;
  const agent = (d.events[0]?.data as any)?.agent?.name;
  return typeof agent === 'string' ? { host: agent } : {};
}

export function fingerprintOf(d: Detection): string {
  const entity = entityOf(d);
  const parts = Object.keys(entity)
    .sort()
    .map((k) => `${k}=${entity[k]}`);
  return createHash('sha1').update(`${d.rule.id}\u0000${parts.join('\u0000')}`).digest('hex').slice(0, 20);
}

export function rowToIncident(r: Selectable<IncidentTable>): Incident {
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    title: r.title,
    status: r.status as IncidentStatus,
    level: r.level as Level,
    ruleId: r.rule_id,
    entity: JSON.parse(r.entity_json),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    detectionCount: Number(r.detection_count),
    eventCount: Number(r.event_count),
    revision: Number(r.revision),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function incidentTitle(d: Detection, entity: Record<string, string>): string {
  const who = Object.values(entity).join(', ');
  return who ? `${d.rule.title} — ${who}` : d.rule.title;
}

/** Applies one detection inside the caller's transaction. */
export async function triage(
  trx: Kysely<Database>,
  d: Detection,
  options: TriageOptions,
  now = Date.now(),
): Promise<TriageResult> {
  const fingerprint = fingerprintOf(d);
  const existing = await trx
    .selectFrom('incidents')
    .selectAll()
    .where('fingerprint', '=', fingerprint)
    .where('status', '!=', 'resolved')
    .orderBy('last_seen', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (existing && d.firstTime - Number(existing.last_seen) <= options.quietPeriod) {
    const update = {
      last_seen: Math.max(Number(existing.last_seen), d.time),
      first_seen: Math.min(Number(existing.first_seen), d.firstTime),
      detection_count: Number(existing.detection_count) + 1,
      event_count: Number(existing.event_count) + d.count,
      updated_at: now,
    };
    await trx.updateTable('incidents').set(update).where('id', '=', existing.id).execute();
    return { incident: rowToIncident({ ...existing, ...update }), notify: false };
  }
  const entity = entityOf(d);
  const row: Selectable<IncidentTable> = {
    id: createHash('sha1').update(`${fingerprint}\u0000${d.id}`).digest('hex').slice(0, 16),
    fingerprint,
    title: incidentTitle(d, entity),
    status: 'open',
    level: d.rule.level,
    rule_id: d.rule.id,
    entity_json: JSON.stringify(entity),
    first_seen: d.firstTime,
    last_seen: d.time,
    detection_count: 1,
    event_count: d.count,
    revision: 1,
    created_at: now,
    updated_at: now,
  };
  await trx.insertInto('incidents').values(row).execute();
  return { incident: rowToIncident(row), notify: true };
}

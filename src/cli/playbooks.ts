// vigil playbooks test INCIDENT|FILE: which playbooks an incident matches and which actions they would take,
// without running any. FILE is a notification as Vigil stores and sends it (JSON or YAML: an outbox payload,
// a webhook body with `notification`, or { incident, rule, sourceIps?, agents?, change?, time? }).
import { systemClock } from '../clock.js';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse } from 'yaml';
import { affectedAgents } from '../act/actions.js';
import { resolvePlaybooks, PlaybookError } from '../act/playbooks/load.js';
import { planActions } from '../act/playbooks/plan.js';
import { Guard } from '../act/response/guard.js';
import { formatDuration } from '../act/response/format.js';
import type { PlaybookChannel } from '../config/playbooks.js';
import type { Config } from '../config/schema.js';
import type { Event, Incident, IncidentChange, RuleRef } from '../model/index.js';
import { readRecordedAlert } from '../sources/ndjson.js';
import { alertsByEventIds } from '../store/alerts.js';
import { openDatabase } from '../store/db.js';
import { latestDetectionOf } from '../triage/detections.js';
import { findIncident } from '../triage/record.js';
import { VigilError, type ErrorLocation } from '../errors.js';

export interface PlaybookSubject {
  incident: Incident;
  rule: RuleRef;
  sourceIps: string[];
  agents: string[];
  change: IncidentChange;
  time: number;
}

export class SubjectError extends VigilError {
  constructor(message: string, location?: ErrorLocation) {
    super('subject', message, location);
  }
}

function fromDocument(doc: any, file: string): PlaybookSubject {
  const n = doc?.notification ?? doc;
  if (!n || typeof n !== 'object' || !n.incident || !n.rule) throw new SubjectError(`${file}: expected a notification with incident and rule (or a webhook body with notification)`);
  const incident = n.incident as Incident;
  const rule = { tags: [], ...n.rule } as RuleRef;
  const ips: string[] = n.sourceIps ?? Object.values(incident.entity ?? {}).filter((v) => typeof v === 'string' && isIP(v) !== 0);
  return {
    incident: { ...incident, entity: incident.entity ?? {}, level: incident.level ?? rule.level },
    rule,
    sourceIps: ips,
    agents: n.agents ?? [],
    change: n.change ?? 'opened',
    time: typeof n.time === 'number' ? n.time : (n.detection?.time ?? incident.lastSeen ?? systemClock()),
  };
}

async function fromStore(config: Config, id: string): Promise<PlaybookSubject> {
  const store = await openDatabase(config.database.url);
  try {
    const incident = await findIncident(store.db, id);
    if (!incident) throw new SubjectError(`no incident ${id} in ${config.database.url}, and no file of that name`);
    const det = await latestDetectionOf(store.db, id);
    const rule: RuleRef = det ? det.rule : { id: incident.ruleId, title: incident.title, level: incident.level, tags: [] };
    const eventIds: string[] = det ? det.eventIds : [];
    const bodies = await alertsByEventIds(store.db, eventIds.slice(0, 200));
    const events = bodies.map((b) => readRecordedAlert(b.body, b.format));
    const group: Record<string, string> = det ? det.group : {};
    const ips = [...new Set([...Object.values(incident.entity), ...Object.values(group)].filter((v) => isIP(v) !== 0))];
    return { incident, rule, sourceIps: ips, agents: affectedAgents({ events } as never), change: 'opened', time: incident.lastSeen };
  } finally {
    await store.close();
  }
}

export async function playbooksTest(target: string, config: Config, opts: { change?: string }, out = process.stdout): Promise<number> {
  const enabled = (Object.entries(config.channels) as [PlaybookChannel, { enabled: boolean }][]).filter(([, c]) => c.enabled).map(([k]) => k);
  const playbooks = resolvePlaybooks(config.playbooks, config.actions.playbooksFile, enabled);
  let subject: PlaybookSubject;
  if (existsSync(target)) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(target, 'utf8'));
    } catch (err) {
      throw new SubjectError(`${target}: not JSON or YAML (${(err as Error).message.split('\n')[0]})`);
    }
    subject = fromDocument(doc, target);
  } else subject = await fromStore(config, target);
  if (opts.change) subject.change = opts.change as IncidentChange;

  const w = (s: string) => out.write(s + '\n');
  w(`incident ${subject.incident.id ?? '(from file)'}: ${subject.rule.title} [${subject.incident.level}], change ${subject.change}, entity ${JSON.stringify(subject.incident.entity)}`);
  const plan = planActions(playbooks, { incident: subject.incident, rule: subject.rule, change: subject.change, time: subject.time });
  w('playbooks:');
  for (const c of plan.considered) w(`  ${c.result.matched ? 'match  ' : 'no     '} ${c.playbook}${c.result.matched ? '' : ` — ${c.result.because}`}`);
  w(plan.actions.length ? 'actions (not run):' : 'actions: none');
  const guard = new Guard(config.actions.response);
  for (const a of plan.actions) {
    if ('notify' in a) {
      w(`  notify ${a.notify}${a.comments ? ' with the comment thread' : ''}  (playbook ${a.playbook})`);
      continue;
    }
    const agents = a.block.agents === 'affected' ? subject.agents : a.block.agents;
    if (subject.sourceIps.length === 0) w(`  block: no source address in this incident  (playbook ${a.playbook})`);
    for (const ip of subject.sourceIps) {
      const v = guard.checkAddress(ip);
      const first = config.actions.response.durations[0]!;
      const verdict = !v.ok ? `refused: ${v.reason}` : agents.length === 0 ? 'refused: no affected agent is known' : `would pass the static checks (asset allowlist and hourly cap are checked at run time); a first offence lasts ${formatDuration(first)}`;
      w(`  block ${ip} on ${agents.join(', ') || '—'}, mode ${a.block.mode}  (playbook ${a.playbook}) — ${verdict}`);
    }
  }
  return 0;
}

// Playbooks from vigil.yaml and from actions.playbooksFile, validated with messages that name the file, the
// playbook and the key. With none configured, one default playbook notifies every enabled channel.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { namePlaybook } from '../../config/load.js';
import { playbooksSchema, type Playbook, type PlaybookChannel } from '../../config/playbooks.js';
import { VigilError, type ErrorLocation } from '../../errors.js';

export class PlaybookError extends VigilError {
  constructor(message: string, location?: ErrorLocation) {
    super('playbook', message, location);
  }
}

export const DEFAULT_PLAYBOOK_NAME = 'default';

export function defaultPlaybook(channels: PlaybookChannel[]): Playbook[] {
  if (channels.length === 0) return [];
  return [
    {
      name: DEFAULT_PLAYBOOK_NAME,
      enabled: true,
      // `summary`: the analyst summary that follows (an LLM's) reaches the same people as an update.
      match: { changes: ['opened', 'escalated', 'resolved', 'reopened', 'summary'] },
      actions: channels.map((c) => ({ notify: c, comments: false })),
      continue: true,
      inhibit: { mode: 'off', by: 'critical', on: ['ip', 'user', 'host'] },
    },
  ];
}

/** Parses a playbooks file: a YAML list, or a mapping with a `playbooks:` list. */
export function parsePlaybooksFile(text: string, file: string): Playbook[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) throw new PlaybookError(`${file}:${doc.errors[0]!.linePos?.[0]?.line ?? '?'}: invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const raw = doc.toJS();
  const list = Array.isArray(raw) ? raw : raw?.playbooks;
  if (!Array.isArray(list)) throw new PlaybookError(`${file}: expected a list of playbooks (or a playbooks: list)`);
  const prefix = Array.isArray(raw) ? [] : ['playbooks'];
  const result = playbooksSchema.safeParse(list);
  if (result.success) return result.data;
  throw new PlaybookError(
    result.error.issues
      .map((issue) => {
        const path = issue.path.map(String);
        const node = doc.getIn([...prefix, ...issue.path] as (string | number)[], true) as { range?: [number] } | undefined;
        const line = node?.range ? lines.linePos(node.range[0]).line : '?';
        const named = namePlaybook({ playbooks: list }, ['playbooks', ...path]);
        const message = issue.code === 'unrecognized_keys' ? `unknown key ${(issue as { keys: string[] }).keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
        return `${file}:${line}: ${named.join('.')}: ${message}`;
      })
      .join('\n'),
  );
}

/**
 * The playbooks in force: the config's list, then the file's. Every notify action must name an enabled
 * channel — a playbook that would notify nobody is a start-up error, not a silent gap.
 */
export function resolvePlaybooks(configured: Playbook[], file: string, enabled: PlaybookChannel[]): Playbook[] {
  let list = [...configured];
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new PlaybookError(`${file}: cannot read the playbooks file (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
    list = [...list, ...parsePlaybooksFile(text, file)];
  }
  const names = new Set<string>();
  const problems: string[] = [];
  for (const p of list) {
    if (names.has(p.name)) problems.push(`playbook "${p.name}": the name is used twice`);
    names.add(p.name);
    p.actions.forEach((a, i) => {
      if ('notify' in a && !enabled.includes(a.notify)) problems.push(`playbook "${p.name}".actions.${i}.notify: channel "${a.notify}" is not enabled (channels.${a.notify}.enabled)`);
    });
  }
  if (problems.length > 0) throw new PlaybookError(problems.join('\n'));
  return list.length > 0 ? list : defaultPlaybook(enabled);
}

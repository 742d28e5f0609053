// Loads vigil.yaml: YAML → ${ENV} interpolation → schema validation, with errors that name file, line and key.
import { VigilError, type ErrorLocation } from '../errors.js';
import { readFileSync } from 'node:fs';
import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends VigilError {
  constructor(message: string, location?: ErrorLocation) {
    super('config', message, location);
  }
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces `${NAME}` and `${NAME:-default}`; an unset variable without a default is an error naming it. */
export function interpolate(text: string, env: NodeJS.ProcessEnv, where: string): string {
  return text.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`${where}: environment variable ${name} is not set (write \${${name}:-default} for a default)`);
  });
}

export function loadConfig(file?: string, env: NodeJS.ProcessEnv = process.env): Config {
  if (!file) return configSchema.parse({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  return parseConfig(text, file, env);
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ConfigError(`${file}:${e.linePos?.[0]?.line ?? '?'}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  const lineOf = (offset: number | undefined) => (offset === undefined ? '?' : lineCounter.linePos(offset).line);
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
        const resolved = interpolate(node.value, env, `${file}:${lineOf(node.range?.[0])}`);
        // A whole-value reference to a number or boolean keeps its type, so `port: ${SMTP_PORT}` works.
        node.value = /^\$\{[^}]+\}$/.test(node.value) ? coerce(resolved) : resolved;
      }
    },
  });
  const raw = doc.toJS() ?? {};
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const messages = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    const key = namePlaybook(raw, path).join('.') || '(top level)';
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown key ${(issue as { keys: string[] }).keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const line = node && typeof node === 'object' && 'range' in node ? lineOf(node.range?.[0]) : lineOf(findKeyOffset(doc, path));
    return `${file}:${line}: ${key}: ${message}`;
  });
  throw new ConfigError(messages.join('\n'));
}

function coerce(value: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** Offset of the deepest existing key on the path, so a missing or extra key still gets a line. */
function findKeyOffset(doc: ReturnType<typeof parseDocument>, path: string[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return node.range[0];
  }
  return 0;
}

/** `playbooks.2.actions` reads better as `playbook "block-ssh".actions`. */
export function namePlaybook(raw: unknown, path: string[]): string[] {
  if (path[0] !== 'playbooks' || path.length < 2) return path;
  const name = (raw as { playbooks?: { name?: unknown }[] })?.playbooks?.[Number(path[1])]?.name;
  return typeof name === 'string' && name ? [`playbook "${name}"`, ...path.slice(2)] : path;
}

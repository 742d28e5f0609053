// pino: JSON lines by default, readable on a terminal; secrets redacted wherever they appear in a log object.
import pino, { type Logger } from 'pino';
import type { Config } from './config/schema.js';

export const REDACT = [
  'pass',
  'password',
  'token',
  'apiKey',
  'api_key',
  'authorization',
  '*.pass',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.ingest.token',
  'config.channels.email.pass',
  'config.channels.*.token',
  'config.channels.*.password',
  'config.channels.*.apiKey',
  'config.channels.*.secret',
  'config.channels.*.routingKey',
  'config.channels.*.webhookUrl',
  'config.actions.approvals.secret',
];

export function createLogger(config: Config['log'], destination?: pino.DestinationStream): Logger {
  const pretty = config.format === 'pretty' || (config.format === 'auto' && process.stdout.isTTY && !destination);
  const options: pino.LoggerOptions = { level: config.level, redact: { paths: REDACT, censor: '[redacted]' } };
  if (pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } });
  return destination ? pino(options, destination) : pino(options);
}

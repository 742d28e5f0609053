// The approval-link key: configured, or generated once and kept (mode 0600) in the data directory, so links
// stay valid across restarts.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function resolveApprovalSecret(configured: string, dataDir: string): string {
  if (configured) return configured;
  const file = join(dataDir, 'approval-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

// The tuning loop's scenario: a backup account whose expired password fails its logons every night from one host
// (three brute-force incidents an analyst judges false positives) beside one real brute force (a true positive).
import assert from 'node:assert/strict';
import { failedLogon4625, ndjson } from './fixtures.js';
import { call, type Session } from './session.js';
import { post, until, type Running } from './vigil.js';

export const BRUTE_FORCE = '0b5ae1b6-8e0f-4d0b-9d63-5a3b7b0f1c02';
export const FAILED_LOGON = '4f0e7f55-6b7e-4a57-9d0d-6b0d3d1f6a01';
export const BACKUP_HOST = '10.0.5.20';
export const ATTACKER = '45.9.50.7';
export const DAY = 86_400_000;

/** Vigil's config for it: each night's failures are a new incident (quiet period and reopen window under a day). */
export const NIGHTLY = { triage: { quietPeriod: '1h', reopenWindow: '1h' } };

/** Six failures a few seconds apart: one brute-force detection. */
export const burst = (ip: string, user: string, start: number) => Array.from({ length: 6 }, (_, i) => failedLogon4625({ ip, user, time: new Date(start + i * 5000) }));
/** 02:00 UTC of the night `n` days ago. */
export const night = (n: number) => Math.floor((Date.now() - n * DAY) / DAY) * DAY + 2 * 3_600_000;

export interface Incident {
  id: string;
  ruleId: string;
  entity: Record<string, string>;
  status: string;
  eventCount: number;
  verdict?: string;
}

export async function incidents(v: Running, s: Session): Promise<Incident[]> {
  return (await call(v, 'GET', '/api/v1/incidents?status=open,acknowledged,resolved&limit=100', s)).json.items;
}

/** Ingests three nights of backup failures and one attack, as they would arrive, then acknowledges and judges each. */
export async function seedBackupNoise(v: Running, analyst: Session): Promise<void> {
  const nights = [burst(BACKUP_HOST, 'svc_backup', night(3)), burst(BACKUP_HOST, 'svc_backup', night(2)), burst(BACKUP_HOST, 'svc_backup', night(1)), burst(ATTACKER, 'administrator', Date.now() - 3_600_000)];
  for (const [n, alerts] of nights.entries()) {
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts))).status, 202);
    await until(async () => (await incidents(v, analyst)).filter((i) => i.ruleId === BRUTE_FORCE).length === n + 1, 20_000, `brute-force incident ${n + 1}`);
  }
  for (const i of await incidents(v, analyst)) {
    if (i.ruleId !== BRUTE_FORCE) continue;
    const fp = i.entity.IpAddress === BACKUP_HOST;
    assert.equal((await call(v, 'POST', `/api/v1/incidents/${i.id}/acknowledge`, analyst, {})).status, 200);
    const verdict = { verdict: fp ? 'false_positive' : 'true_positive', comment: fp ? 'nightly backup job with an expired password' : 'internet brute force' };
    assert.equal((await call(v, 'POST', `/api/v1/incidents/${i.id}/verdict`, analyst, verdict)).status, 200);
  }
}

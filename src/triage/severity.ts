// The severity score: 0–100, the sum of documented factors, each kept as a reason people can read.
//
//   Sigma rule level      informational 10 · low 20 · medium 40 · high 60 · critical 80   (the base)
//   Wazuh rule level      highest rule.level of the evidence alerts: ≥ 12 → +10 · 7–11 → +5 · lower → +0
//   enrichment verdicts   any malicious → +20 · else any suspicious → +10 · all harmless → −10
//   asset criticality     a critical host → +15 · a critical user → +15 (each at most once)
//   escalation            a successful logon from the same source after the failures → +25
//
// The sum is clamped to 0–100 and read as a level: ≥ 80 critical · ≥ 60 high · ≥ 40 medium · ≥ 20 low.
import type { Indicator, Level } from '../model/index.js';
import type { Severity, SeverityReason, VerdictInput } from './types.js';

export const SIGMA_POINTS: Record<Level, number> = { informational: 10, low: 20, medium: 40, high: 60, critical: 80 };

export interface AssetCriticality {
  criticalHosts: string[];
  criticalUsers: string[];
  /** Named groups of hosts and users. */
  groups: Record<string, { hosts: string[]; users: string[] }>;
  /** Groups whose members are critical. */
  criticalGroups: string[];
}

export const NO_ASSETS: AssetCriticality = { criticalHosts: [], criticalUsers: [], groups: {}, criticalGroups: [] };

export interface SeverityInput {
  ruleLevel: Level;
  wazuhLevel: number;
  indicators: Indicator[];
  escalated: boolean;
}

export interface SeverityContext {
  enrichments: VerdictInput[];
  assets: AssetCriticality;
}

export function levelOfScore(score: number): Level {
  if (score >= 80) return 'critical';
  if (score >= 60) return 'high';
  if (score >= 40) return 'medium';
  if (score >= 20) return 'low';
  return 'informational';
}

/** Why a host or user is critical, or undefined. Names compare case-insensitively (Windows names do). */
export function criticality(kind: 'host' | 'user', value: string, assets: AssetCriticality): string | undefined {
  const v = value.toLowerCase();
  const same = (list: string[]) => list.some((x) => x.toLowerCase() === v);
  if (same(kind === 'host' ? assets.criticalHosts : assets.criticalUsers)) return `critical ${kind}`;
  for (const g of assets.criticalGroups) {
    const members = assets.groups[g];
    if (members && same(kind === 'host' ? members.hosts : members.users)) return `member of critical group ${g}`;
  }
  return undefined;
}

/** Every lower-cased name of this kind that asset criticality makes critical (directly or by a critical group). */
export function criticalNames(kind: 'host' | 'user', assets: AssetCriticality): string[] {
  const names = [...(kind === 'host' ? assets.criticalHosts : assets.criticalUsers)];
  for (const g of assets.criticalGroups) {
    const members = assets.groups[g];
    if (members) names.push(...(kind === 'host' ? members.hosts : members.users));
  }
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

export function severity(input: SeverityInput, ctx: SeverityContext): Severity {
  const reasons: SeverityReason[] = [];
  reasons.push({ factor: 'sigma', points: SIGMA_POINTS[input.ruleLevel], detail: `Sigma rule level ${input.ruleLevel}` });

  const wl = input.wazuhLevel;
  if (wl > 0) {
    const points = wl >= 12 ? 10 : wl >= 7 ? 5 : 0;
    reasons.push({ factor: 'wazuh', points, detail: `Wazuh rule level ${wl}${wl >= 12 ? ' (high importance)' : ''}` });
  }

  const verdicts = ctx.enrichments.filter((e) => e.verdict !== 'error' && e.verdict !== 'unknown');
  const malicious = verdicts.filter((e) => e.verdict === 'malicious');
  const suspicious = verdicts.filter((e) => e.verdict === 'suspicious');
  const said = (list: VerdictInput[]) => list.map((e) => `${e.indicator.value} (${e.provider})`).join(', ');
  if (malicious.length > 0) reasons.push({ factor: 'enrichment', points: 20, detail: `malicious per ${said(malicious)}` });
  else if (suspicious.length > 0) reasons.push({ factor: 'enrichment', points: 10, detail: `suspicious per ${said(suspicious)}` });
  else if (verdicts.length > 0 && verdicts.every((e) => e.verdict === 'harmless'))
    reasons.push({ factor: 'enrichment', points: -10, detail: `harmless per ${said(verdicts)}` });

  for (const kind of ['host', 'user'] as const) {
    for (const i of input.indicators) {
      if (i.kind !== kind) continue;
      const why = criticality(kind, i.value, ctx.assets);
      if (why) {
        reasons.push({ factor: 'asset', points: 15, detail: `${i.value}: ${why}` });
        break;
      }
    }
  }

  if (input.escalated) reasons.push({ factor: 'escalation', points: 25, detail: 'a successful logon from the same source followed the failures' });

  const score = Math.max(0, Math.min(100, reasons.reduce((s, r) => s + r.points, 0)));
  return { score, level: levelOfScore(score), reasons };
}

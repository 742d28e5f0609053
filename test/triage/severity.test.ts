// The severity score's documented table, factor by factor.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_ASSETS, levelOfScore, severity, type SeverityInput } from '../../src/triage/severity.js';
import type { VerdictInput } from '../../src/triage/types.js';

const base: SeverityInput = { ruleLevel: 'medium', wazuhLevel: 0, indicators: [], escalated: false };
const v = (verdict: VerdictInput['verdict'], value = '203.0.113.7', provider = 'abuseipdb'): VerdictInput => ({ provider, indicator: { kind: 'ip', value }, verdict });
const score = (input: Partial<SeverityInput>, enrichments: VerdictInput[] = []) => severity({ ...base, ...input }, { enrichments, assets: NO_ASSETS });

describe('severity score', () => {
  it('starts from the Sigma rule level', () => {
    assert.deepEqual(
      (['informational', 'low', 'medium', 'high', 'critical'] as const).map((l) => score({ ruleLevel: l }).score),
      [10, 20, 40, 60, 80],
    );
  });

  it('adds the Wazuh rule level of the evidence: ≥ 12 → +10, 7–11 → +5, lower → +0', () => {
    assert.deepEqual([3, 6, 7, 11, 12, 15].map((w) => score({ wazuhLevel: w }).score - 40), [0, 0, 5, 5, 10, 10]);
    assert.deepEqual(score({ wazuhLevel: 12 }).reasons[1], { factor: 'wazuh', points: 10, detail: 'Wazuh rule level 12 (high importance)' });
    assert.equal(score({ wazuhLevel: 0 }).reasons.length, 1, 'no Wazuh level, no reason');
  });

  it('reads enrichment verdicts: malicious wins, then suspicious; all harmless lowers; errors and unknowns count for nothing', () => {
    assert.equal(score({}, [v('harmless'), v('malicious', '198.51.100.1', 'virustotal')]).score, 60);
    assert.equal(score({}, [v('suspicious'), v('harmless')]).score, 50);
    assert.equal(score({}, [v('harmless'), v('harmless', '203.0.113.7', 'virustotal')]).score, 30);
    assert.equal(score({}, [v('error'), v('unknown')]).score, 40);
    assert.equal(score({}, [v('malicious', '198.51.100.1', 'virustotal')]).reasons.at(-1)!.detail, 'malicious per 198.51.100.1 (virustotal)');
  });

  it('adds asset criticality once per kind, by name or by group, case-insensitively', () => {
    const assets = { criticalHosts: ['dc01'], criticalUsers: [], groups: { admins: { hosts: [], users: ['Administrator'] } }, criticalGroups: ['admins'] };
    const s = severity(
      { ...base, indicators: [{ kind: 'host', value: 'DC01' }, { kind: 'host', value: 'dc01.corp' }, { kind: 'user', value: 'administrator' }] },
      { enrichments: [], assets },
    );
    assert.deepEqual(s.reasons.filter((r) => r.factor === 'asset').map((r) => [r.points, r.detail]), [
      [15, 'DC01: critical host'],
      [15, 'administrator: member of critical group admins'],
    ]);
  });

  it('adds escalation, clamps to 0–100 and reads the level from the score', () => {
    assert.equal(score({ ruleLevel: 'critical', wazuhLevel: 15, escalated: true }, [v('malicious')]).score, 100);
    assert.equal(score({ ruleLevel: 'informational' }, [v('harmless')]).score, 0);
    assert.deepEqual([0, 19, 20, 39, 40, 59, 60, 79, 80, 100].map(levelOfScore), ['informational', 'informational', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });
});

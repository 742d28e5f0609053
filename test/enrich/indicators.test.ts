import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indicatorsOf, MAX_INDICATORS } from '../../src/enrich/indicators.js';
import type { Detection, Event } from '../../src/model/index.js';

function detection(events: Record<string, unknown>[]): Detection {
  const evs: Event[] = events.map((data, i) => ({ id: `e${i}`, key: `m/e${i}`, format: 'wazuh', time: 0, data }));
  return { id: 'd', rule: { id: 'r', title: 't', level: 'high', tags: [] }, time: 0, firstTime: 0, group: {}, count: evs.length, eventIds: evs.map((e) => e.id), events: evs };
}

describe('indicators of a detection', () => {
  it('takes addresses and hosts, one hash per FIM file (the strongest), and URLs; normalised and distinct', () => {
    // SYNTHETIC FIM alert fields, as Wazuh 4.x names them (syscheck.*_after).
    const d = detection([
      { syscheck: { path: '/usr/bin/evil', md5_after: 'D41D8CD98F00B204E9800998ECF8427E', sha1_after: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', sha256_after: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855' } },
      { syscheck: { path: '/tmp/x', md5_after: '0cc175b9c0f1b6a831c399e269772661' } },
      { data: { srcip: '45.9.20.1', url: 'http://evil.example.net/a' } },
      { data: { srcip: ' 45.9.20.1 ', url: 'javascript:alert(1)' } },
      { data: { srcip: 'not-an-ip' } },
    ]);
    assert.deepEqual(indicatorsOf(d, { sourceIps: ['2A00:1450::1'], hosts: ['WIN-DC01'] }), [
      { kind: 'ip', value: '2a00:1450::1' },
      { kind: 'host', value: 'WIN-DC01' },
      { kind: 'hash', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      { kind: 'hash', value: '0cc175b9c0f1b6a831c399e269772661' },
      { kind: 'url', value: 'http://evil.example.net/a' },
      { kind: 'ip', value: '45.9.20.1' },
    ]);
  });

  it('a detection with hundreds of addresses is capped, so it cannot drain a quota alone', () => {
    const d = detection(Array.from({ length: 300 }, (_, i) => ({ data: { srcip: `45.9.${i >> 8}.${i & 255}` } })));
    assert.equal(indicatorsOf(d).length, MAX_INDICATORS);
  });
});

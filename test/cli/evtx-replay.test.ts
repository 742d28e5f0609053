// `vigil replay` over Windows events as evtx_dump writes them (SYNTHETIC events in evtx_dump's JSON layout:
// "Record N" headers, pretty-printed objects, EventID with attributes), and the field mapping it relies on.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fieldAccessor } from '../../src/detect/fields.js';
import { ROOT } from '../helpers/fixtures.js';
import { evtx } from '../detect/sigma-helpers.js';

const BIN = join(ROOT, 'dist/src/cli/main.js');
const vigil = (args: string[], input?: string) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, cwd: mkdtempSync(join(tmpdir(), 'vigil-cli-')) });

/** A 4625 as evtx_dump prints it; `withQualifiers` writes EventID as {"#text", "#attributes"}. */
function failed(record: number, ip: string, withQualifiers: boolean) {
  const e = evtx(
    { TargetUserName: `user${record}`, IpAddress: ip, LogonType: 3, SubStatus: '0xc000006a' },
    {
      EventRecordID: record,
      EventID: withQualifiers ? { '#attributes': { Qualifiers: 0 }, '#text': 4625 } : 4625,
      TimeCreated: { '#attributes': { SystemTime: `2026-11-21T10:00:0${record}.000000Z` } },
    },
  );
  return e;
}

const RULE = `title: Failed network logon from outside
id: evtx-test-1
logsource: {product: windows, service: security}
detection:
  selection:
    EventID: 4625
    Provider_Name: Microsoft-Windows-Security-Auditing
    Channel: Security
    LogonType: 3
  internal:
    IpAddress|cidr: 10.0.0.0/8
  condition: selection and not internal
level: medium
`;

describe('vigil replay over evtx_dump JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-evtx-'));
  const rules = join(dir, 'rule.yml');
  writeFileSync(rules, RULE);
  const events = [failed(1, '203.0.113.7', true), failed(2, '10.1.2.3', false), failed(3, '198.51.100.9', false)];
  const pretty = join(dir, 'security.json');
  writeFileSync(pretty, events.map((e, i) => `Record ${i + 1}\n${JSON.stringify(e, null, 2)}\n`).join(''));
  const lines = join(dir, 'security.jsonl');
  writeFileSync(lines, events.map((e) => JSON.stringify(e)).join('\n') + '\n');

  it('detects the format, reads pretty-printed records with "Record N" headers, maps System fields', () => {
    const r = vigil(['replay', '--json', '--no-actions', '--rules', rules, pretty]);
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(
      out.map((d) => [d.rule.id, d.events[0]]),
      [
        ['evtx-test-1', 'WS-01.corp.example/Security/1'],
        ['evtx-test-1', 'WS-01.corp.example/Security/3'],
      ],
    );
    assert.equal(out[0].time, '2026-11-21T10:00:01.000Z');
  });

  it('reads one object per line, concatenated objects, and --format evtx-json', () => {
    for (const [file, input] of [
      [lines, undefined],
      ['-', events.map((e) => JSON.stringify(e)).join('')],
    ] as const) {
      const r = vigil(['replay', '--format', 'evtx-json', '--no-actions', '--rules', rules, file], input);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /3 events read, 2 detections, 0 unreadable/);
    }
  });

  it('--format wazuh reads them as Wazuh alerts, where these rules find nothing; a bad --format is refused', () => {
    const r = vigil(['replay', '--format', 'wazuh', '--no-actions', '--rules', rules, lines]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /3 events read, 0 detections/);
    const bad = vigil(['replay', '--format', 'xml', '--no-actions', lines]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--format: expected wazuh, evtx-json or wcs, got "xml"/);
  });
});

describe('evtx field mapping', () => {
  it('System.EventID (number or #text), Channel, Provider_Name; EventData names as they are; UserData', () => {
    const e = failed(1, '203.0.113.7', true);
    const get = (f: string, ev: Record<string, unknown> = e) => fieldAccessor('evtx-json', f)(ev);
    assert.equal(get('EventID'), 4625);
    assert.equal(get('EventID', failed(2, 'x', false)), 4625);
    assert.equal(get('Channel'), 'Security');
    assert.equal(get('Provider_Name'), 'Microsoft-Windows-Security-Auditing');
    assert.equal(get('IpAddress'), '203.0.113.7');
    assert.equal(get('Missing'), undefined);
    const cleared = { Event: { System: { EventID: 1102, Channel: 'Security' }, UserData: { LogFileCleared: { SubjectUserName: 'jane' } } } };
    assert.equal(get('SubjectUserName', cleared), 'jane');
  });
});

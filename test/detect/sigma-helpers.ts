// SYNTHETIC events for the Sigma conformance tests: evtx_dump-shaped Windows events and Wazuh-shaped alerts
// built from the field layouts in shared/reference/sigma.md §5, not captured from a real system.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadRules, type RuleSet } from '../../src/detect/rules.js';
import { compileDetection, type CompileOptions } from '../../src/detect/sigma/compile.js';
import type { EventFormat } from '../../src/model/index.js';

/** An evtx_dump-style Security event whose EventData holds `fields`. */
export function evtx(fields: Record<string, unknown>, system: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing', Guid: '{54849625-5478-4994-A5BA-3E3B0328C30D}' } },
        EventID: 4625,
        Channel: 'Security',
        Computer: 'WS-01.corp.example',
        TimeCreated: { '#attributes': { SystemTime: '2026-11-21T10:00:00.000000Z' } },
        ...system,
      },
      EventData: fields,
    },
  };
}

/** A Wazuh-style eventchannel alert: eventdata names lcfirst, every value a string, as Wazuh writes them. */
export function wazuh(eventdata: Record<string, string>, system: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return {
    timestamp: '2026-11-21T10:00:00.000+0000',
    rule: { id: '60122', level: 5 },
    data: { win: { system: { eventID: '4625', channel: 'Security', providerName: 'Microsoft-Windows-Security-Auditing', ...system }, eventdata } },
    ...extra,
  };
}

/** Compiles a detection given as YAML text (or an object) for one format. */
export function detect(detection: string | Record<string, unknown>, format: EventFormat = 'evtx-json', options: CompileOptions = {}) {
  const d = typeof detection === 'string' ? (parse(detection) as Record<string, unknown>) : detection;
  return compileDetection(d, format, options);
}

/** Whether a detection (YAML) matches an event with EventData `fields` (evtx_dump shape). */
export function hits(detection: string, fields: Record<string, unknown>, options: CompileOptions = {}): boolean {
  return detect(detection, 'evtx-json', options)(evtx(fields));
}

/** Loads rule files written to a fresh folder, as `vigil` would. */
export function loadFiles(files: Record<string, string>, options: CompileOptions = {}): { set: RuleSet; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sigma-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { set: loadRules([dir], dir, options), dir };
}

/** A whole rule document around a detection section. */
export function rule(detection: string, extra = ''): string {
  const body = detection
    .trim()
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');
  return `title: Test rule\nid: test-rule\nlogsource: {product: windows, service: security}\n${extra}detection:\n${body}\nlevel: low\n`;
}

// The incident email in a real browser (headless Chromium) at a phone's width (375 px) and a desktop's
// (1000 px): nothing wider than the screen, whatever the values (a long attacker-chosen user name, a
// SHA-256, a long path, 20 evidence rows of 1,000, VirusTotal, approvals). Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Notification } from '../../src/act/notification.js';
import { renderEmail } from '../../src/act/render/email.js';
import { chromiumAvailable, openBrowser, type TestBrowser } from '../helpers/browser.js';

const T0 = Date.parse('2026-11-21T10:00:00Z');
const LONG_USER = 'svc_' + 'a'.repeat(120);
const HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855e3b0c44298fc1c149afbf4c8996fb924';

function bigNotification(): Notification {
  const evidence = Array.from({ length: 20 }, (_, i) => ({
    eventId: `1795255200.${1000 + i}`,
    time: T0 + i * 1000,
    user: i === 3 ? LONG_USER : 'administrator',
    sourceIp: '203.0.113.7',
    host: 'WIN-DC01-WITH-A-RATHER-LONG-HOSTNAME.corp.example',
    detail: `EventID 4625, logon type 3, bad password, workstation KALI, path C:\\Users\\${'x'.repeat(80)}\\AppData\\Local\\Temp\\${HASH}.exe`,
  }));
  return {
    kind: 'incident.opened',
    incident: { id: '43914f3b1f9ef50b', fingerprint: 'f', title: 't', status: 'open', level: 'critical', ruleId: 'r', entity: { IpAddress: '203.0.113.7' }, firstSeen: T0, lastSeen: T0 + 600_000, detectionCount: 3, eventCount: 1000, revision: 1, createdAt: T0, updatedAt: T0 },
    rule: { id: '0b5ae1b6-8e0f-4d0b-9d63-5a3b7b0f1c02', title: 'Windows Brute Force From One Source Address', level: 'high', tags: [], description: 'Five or more failed logons (4625) from the same source IP address within five minutes.' },
    detection: { id: 'd1', time: T0 + 4000, firstTime: T0, count: 5, group: { IpAddress: '203.0.113.7' } },
    sourceIps: ['203.0.113.7'],
    users: ['administrator', LONG_USER, ...Array.from({ length: 30 }, (_, i) => `user${i}`)],
    hosts: ['WIN-DC01'],
    evidence,
    evidenceTotal: 1000,
    counts: { events: 1000, detections: 3 },
    incidentUrl: 'https://vigil.example.org/#/incidents/43914f3b1f9ef50b',
    severity: { score: 90, level: 'critical', reasons: [{ factor: 'sigma', points: 60, detail: 'Sigma rule level high' }, { factor: 'enrichment', points: 20, detail: `malicious per ${HASH} (virustotal)` }] },
    summary: {
      source: 'template',
      whatHappened: `Windows Brute Force From One Source Address: 1,000 events in 3 detections from 203.0.113.7 against ${LONG_USER}.`,
      affected: '',
      evidence: [],
      enrichment: `203.0.113.7: malicious (virustotal); ${HASH}: malicious (virustotal).`,
      mitre: [],
      nextSteps: ['Block 203.0.113.7 at the firewall.', 'Record a verdict.'],
      generatedAt: T0,
    },
    mitre: [{ id: 'T1110.001', name: 'Brute Force: Password Guessing', tactic: 'Credential Access' }],
    enrichment: [
      { provider: 'virustotal', indicator: { kind: 'hash', value: HASH }, state: 'done', found: true, verdict: 'malicious', summary: '12 of 94 engines flagged it malicious, 2 suspicious · reputation -40', link: `https://www.virustotal.com/gui/file/${HASH}`, fetchedAt: T0 },
      { provider: 'geoip', indicator: { kind: 'ip', value: '203.0.113.7' }, state: 'done', found: true, verdict: 'unknown', summary: 'NL · AS64501 Example Hosting B.V.', fetchedAt: T0 },
    ],
    approvals: [{ address: '203.0.113.7', agents: ['003'], url: `https://vigil.example.org/api/v1/approvals/1?exp=1&sig=${'s'.repeat(43)}`, expiresAt: T0 + 3_600_000 }],
  };
}

describe('the incident email in Chromium', { skip: !chromiumAvailable() && 'no Chromium at /usr/bin/chromium' }, () => {
  let b: TestBrowser;
  before(async () => {
    b = await openBrowser();
  });
  after(async () => b?.close());

  for (const width of [375, 1000]) {
    it(`has no horizontal overflow at ${width} px, and says what it left out`, async () => {
      const mail = renderEmail(bigNotification());
      await b.page.setViewportSize({ width, height: 800 });
      await b.page.setContent(mail.html);
      const { scroll, inner } = await b.page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      assert.ok(scroll <= inner, `scrollWidth ${scroll} > innerWidth ${inner}`);
      // Every element fits too (a cell can overflow inside a clipping box without widening the page).
      const wide = await b.page.evaluate((w) => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > w + 0.5).map((e) => e.tagName + ':' + (e.textContent ?? '').slice(0, 40)), inner);
      assert.deepEqual(wide, [], 'no element extends past the right edge');
      const body = await b.page.innerText('body');
      assert.match(body, /Evidence \(20 of 1,000 events\)/);
      assert.match(body, /and 980 more events/);
      assert.match(body, /1,000 events in 3 detections/);
      await b.screenshot(`email-${width}`);
    });
  }
});

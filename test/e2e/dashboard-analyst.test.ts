// What an analyst reads and does on the dashboard beyond the queue: the queue's order by arrival, the rule by its
// title, counts in words, no verdict badge on a card that judges nothing, the raw alert behind an evidence row
// (formatted, shown as text, copyable), the comment thread in the timeline, the pivot from an indicator to every
// incident and stored event holding it, and a block approved by link and then refused shown as refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumAvailable, openBrowser, SHOTS, type TestBrowser } from '../helpers/browser.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { call, PASSWORD } from '../helpers/session.js';
import { ATTACKER, LONG_USER, startShowcase, type Showcase } from '../helpers/showcase.js';
import { post, until } from '../helpers/vigil.js';

const EVIL = '<img src=x onerror=alert(1)>';
const EVIL_IP = '198.51.100.77';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('the analyst on the dashboard in Chromium', { skip: !chromiumAvailable() && 'no /usr/bin/chromium (apt-get install chromium)' }, () => {
  let s: Showcase;
  let b: TestBrowser;
  let evilIncident = '';

  before(async () => {
    s = await startShowcase();
    assert.equal((await post(`${s.v.url}/api/v1/ingest/wazuh`, ndjson(burst(EVIL_IP, 5, new Date(Date.now() - 120_000), 5000, EVIL)))).status, 202);
    await until(
      async () => {
        const r = await call(s.v, 'GET', `/api/v1/incidents?indicator=${EVIL_IP}`, s.analyst);
        evilIncident = r.json?.items?.[0]?.id ?? '';
        return evilIncident !== '';
      },
      20_000,
      'the incident with markup in its user name',
    );
    b = await openBrowser();
    mkdirSync(SHOTS, { recursive: true });
    await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.v.url });
    await b.page.goto(`${s.v.url}/#/login`);
    await b.page.getByLabel('User name').fill('anna');
    await b.page.getByLabel('Password').fill(PASSWORD);
    await b.page.getByRole('button', { name: 'Sign in' }).click();
    await b.page.getByRole('heading', { name: 'Incidents' }).waitFor();
  });
  after(async () => {
    await b?.close();
    await s?.close();
  });

  it('the queue puts the incident received last first, though its alerts are dated 2021', async () => {
    const { page } = b;
    await page.goto(`${s.v.url}/#/incidents?status=open,acknowledged,resolved`);
    await page.locator('tr[data-incident]').nth(4).waitFor();
    const ids = await page.locator('tr[data-incident]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-incident')));
    assert.deepEqual(ids.slice(0, 2), [evilIncident, s.incidents['203.0.113.9']]);
    const old = page.locator(`tr[data-incident="${s.incidents['203.0.113.9']}"]`);
    assert.doesNotMatch(await old.innerText(), /\d{3,}d/, 'its last activity is minutes ago, not years');
    assert.doesNotMatch(await page.locator('#queue').innerText(), UUID);
    // Ordered by the events' own time instead, it is last, and the address keeps the choice.
    await page.getByLabel('Order').selectOption('last_seen');
    await page.waitForURL(/sort=last_seen/);
    await until(async () => (await page.locator('tr[data-incident]').last().getAttribute('data-incident')) === s.incidents['203.0.113.9'], 10_000, 'the old-dated incident last');
  });

  it('the incident names its rule by title, counts in words, and puts no verdict badge on the GeoIP card', async () => {
    const { page } = b;
    await page.goto(`${s.v.url}/#/incidents/${encodeURIComponent(s.incidentId)}`);
    await page.locator('article.enrichment[data-provider="virustotal"] .badge').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('#rule').innerText(), 'Windows Brute Force From One Source Address');
    assert.match(await page.locator('#counts').innerText(), /^6 events in 1 detection$/);
    assert.equal(await page.locator('article.enrichment[data-provider="geoip"] .badge').count(), 0, 'GeoIP judges nothing');
    assert.equal(await page.locator('article.enrichment[data-provider="virustotal"] .badge').innerText(), 'malicious');
    const caption = await page.locator('table caption', { hasText: 'Evidence' }).innerText();
    assert.match(caption, /^Evidence \(6 events\)$/);
    assert.equal(await page.locator('table.stack', { has: page.locator('caption', { hasText: 'Evidence' }) }).locator('tbody tr[data-event]').count(), 6);
  });

  it('a resolved incident says when, by whom and why', async () => {
    const { page } = b;
    await page.goto(`${s.v.url}/#/incidents/${encodeURIComponent(s.incidents['192.0.2.44']!)}`);
    const resolved = page.locator('#resolved');
    await resolved.waitFor();
    assert.match(await resolved.innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC, by anna \(benign\): nightly backup job with an expired password$/);
    assert.match(await page.locator('#verdict').innerText(), /^benign — nightly backup job with an expired password \(anna\)$/);
  });

  it('shows the raw alert of an evidence row as formatted JSON, as text, and copies it', async () => {
    const { page } = b;
    await page.goto(`${s.v.url}/#/incidents/${encodeURIComponent(evilIncident)}`);
    const first = page.locator('tr[data-event]').first();
    await first.waitFor();
    const eventId = (await first.getAttribute('data-event'))!;
    await first.getByRole('button', { name: 'Show JSON' }).click();
    const pre = page.locator(`tr.raw[data-event="${eventId}"] pre.json`);
    await pre.waitFor();
    const shown = await pre.innerText();
    const alert = JSON.parse(shown);
    assert.equal(alert.data.win.eventdata.targetUserName, EVIL, 'the stored alert, parsed back from what is shown');
    assert.match(shown, /\n {2}"timestamp"/, 'indented');
    assert.equal(await page.locator('main img').count(), 0, 'the markup in it stays text');
    await page.locator(`tr.raw[data-event="${eventId}"]`).getByRole('button', { name: 'Copy JSON' }).click();
    await page.locator(`tr.raw[data-event="${eventId}"]`).getByText('Copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shown);
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.locator(`tr.raw[data-event="${eventId}"]`).screenshot({ path: join(SHOTS, 'incident-raw-alert-1366.png') });
    await first.getByRole('button', { name: 'Hide JSON' }).click();
    assert.equal(await pre.count(), 0);
  });

  it('adds a comment that appears in the timeline with its author, as text', async () => {
    const { page } = b;
    await page.goto(`${s.v.url}/#/incidents/${encodeURIComponent(s.incidentId)}`);
    await page.getByLabel('New comment').fill(`called the owner of ${ATTACKER}'s range <b>no answer</b>`);
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByText('Comment added to the timeline.').waitFor();
    const entry = page.locator('ol.timeline li.comment');
    await entry.waitFor();
    assert.match(await entry.innerText(), /anna: called the owner of 45\.9\.40\.77's range <b>no answer<\/b>/);
    assert.equal(await page.locator('ol.timeline b').count(), 0);
    const api = await call(s.v, 'GET', `/api/v1/incidents/${s.incidentId}/comments`, s.analyst);
    assert.equal(api.json.items.length, 1);
    assert.match(api.json.items[0].author, /(^|:)anna$/);
    await page.reload();
    await page.locator('ol.timeline li.comment').waitFor();
    await page.locator('section[aria-labelledby="h-timeline"]').screenshot({ path: join(SHOTS, 'incident-timeline-1366.png') });
  });

  it('pivots from a user in the evidence to every incident and stored event that holds it', async () => {
    const { page } = b;
    await page.goto(`${s.v.url}/#/incidents/${encodeURIComponent(s.incidents['198.51.100.23']!)}`);
    await page.locator('tr[data-event]').first().getByRole('link', { name: LONG_USER }).click();
    await page.getByRole('heading', { name: 'Pivot' }).waitFor();
    assert.equal(await page.getByLabel('Indicator').inputValue(), LONG_USER);
    const incidents = page.locator('table', { has: page.locator('caption', { hasText: 'Incidents holding' }) });
    await incidents.waitFor();
    assert.equal(await incidents.locator('tbody tr').count(), 1);
    assert.equal(await incidents.locator('tbody tr').getAttribute('data-incident'), s.incidents['198.51.100.23']);
    assert.equal(await page.locator('tr[data-event]').count(), 8, 'all eight stored events with that user');
    assert.match(await page.locator('#pivot-scope').innerText(), /8 stored events hold it/);
    // From an event straight to its incident.
    await page.locator('tr[data-event]').first().getByRole('link', { name: /^incident / }).click();
    await page.getByRole('heading', { level: 1, name: /198\.51\.100\.23/ }).waitFor();
  });

  it('a block approved by link and then refused reads as refused on the approval page and the incident', async () => {
    const { page } = b;
    // The address turns out to be one of our own agents: the executor refuses to block it after approval.
    s.wazuh.agents.push({ id: '007', name: 'EDGE-GW', ip: ATTACKER, os: { platform: 'ubuntu', name: 'Ubuntu' } });
    await page.goto(s.approvalUrl);
    await page.getByRole('button', { name: 'Approve block' }).click();
    await page.getByRole('heading', { name: /^Block approved/ }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /runs now/);
    await until(async () => (await s.v.vigil.responses!.list({ incidentId: s.incidentId }))[0]?.state === 'refused', 15_000, 'the refusal');
    await page.goto(s.approvalUrl);
    await page.getByRole('heading', { name: 'Block refused' }).waitFor();
    assert.match(await page.locator('main').innerText(), /Refused because/);
    await page.screenshot({ path: join(SHOTS, 'approval-refused-1366.png') });
    await page.getByRole('link', { name: 'Open the incident in Vigil' }).click();
    await page.getByRole('heading', { level: 1, name: /45\.9\.40\.77/ }).waitFor();
    const row = page.locator('table', { has: page.locator('caption', { hasText: 'Responses' }) }).locator('tbody tr');
    await row.locator('.state-refused').waitFor({ timeout: 15_000 });
    assert.match(await row.innerText(), /Refused: /);
    // Its action reads as refused, with the reason, never as delivered: on the page, in the API and in the trail.
    const caption = (name: string) => page.locator('table', { has: page.locator('caption', { hasText: name }) });
    const action = caption('Actions').locator('tbody tr', { hasText: 'wazuh-response' });
    await action.locator('.state-refused').waitFor({ timeout: 15_000 });
    assert.doesNotMatch(await action.innerText(), /delivered/);
    assert.match(await action.innerText(), /belongs to allowlisted asset EDGE-GW/);
    assert.match(await caption('Audit trail').innerText(), /Vigil\s+response\.block\s+refused/);
    const d = (await call(s.v, 'GET', `/api/v1/incidents/${s.incidentId}`, s.analyst)).json;
    const block = d.actions.find((a: { channel: string }) => a.channel === 'wazuh-response');
    assert.equal(block.state, 'refused');
    assert.equal(block.deliveredAt, undefined);
    assert.match(block.lastError, /belongs to allowlisted asset EDGE-GW/);
    assert.ok(d.audit.some((t: { action: string; result: string }) => t.action === 'response.block' && t.result === 'refused'), 'the audit trail says refused');
    assert.ok(d.timeline.some((t: { text: string }) => t.text === 'wazuh-response refused'), 'and so does the timeline');
    // The decided link's page answers 409 (Conflict) by design; anything else in the console is a problem.
    assert.deepEqual(b.problems.filter((p) => !/status of 409/.test(p)), [], 'no console errors and no CSP violations');
  });
});

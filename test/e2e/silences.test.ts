// Silences from the dashboard in a real browser: an analyst silences an address for every rule; its brute force
// is recorded as the silence's hit but opens no incident and mails nobody (a real SMTP server); the analyst ends
// the silence from the same page, and the next brute force from that address opens an incident and is mailed.
// The same through the API: create, list, expire (409 the second time), each audited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addUser } from '../../src/server/auth/users.js';
import { auditFor } from '../../src/store/audit.js';
import { listIncidents } from '../../src/triage/queries.js';
import { chromiumAvailable, openBrowser, signIn, type TestBrowser } from '../helpers/browser.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { call, PASSWORD, userSession } from '../helpers/session.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { handled } from '../helpers/triage.js';
import { post, startVigil, until, type Running } from '../helpers/vigil.js';

const ADDRESS = '198.51.100.77';
const T0 = Date.now() - 2 * 3_600_000;

async function bruteForce(v: Running, start: number): Promise<void> {
  assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(burst(ADDRESS, 6, new Date(start), 1000, 'svc_backup')))).status, 202);
  await handled(v, 30_000);
}

describe('silences from the dashboard', { skip: !chromiumAvailable() && 'no /usr/bin/chromium (apt-get install chromium)' }, () => {
  let v: Running;
  let smtp: TestSmtp;
  let b: TestBrowser;

  before(async () => {
    smtp = await startSmtp();
    v = await startVigil({ channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } } });
    await addUser(v.vigil.store.db, 'anna', PASSWORD, 'analyst');
    b = await openBrowser();
    const { page } = b;
    await signIn(page, v.url, 'anna');
  });
  after(async () => {
    await b?.close();
    await v?.stop();
    await smtp?.close();
  });

  it('a silence created on the page suppresses the brute force, then, ended on the page, lets the next one through', async () => {
    const { page } = b;
    await page.getByRole('link', { name: 'Silences' }).click();
    await page.getByRole('heading', { name: 'Silences' }).waitFor();
    await page.getByLabel('Kind').selectOption('ip');
    await page.getByLabel('Value').fill(ADDRESS);
    await page.getByLabel('Rule').selectOption({ label: 'every rule' });
    await page.getByLabel('Reason').fill('the red team’s scanner this week');
    await page.getByLabel('Expires in').selectOption({ label: '7 days' });
    await page.getByRole('button', { name: 'Create silence' }).click();
    await page.locator('#silence-status', { hasText: 'created' }).waitFor();
    const row = page.locator('tr[data-silence]');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.match(await row.first().innerText(), new RegExp(`ip\\s+${ADDRESS.replace(/\./g, '\\.')}`));

    const [created] = (await call(v, 'GET', '/api/v1/suppressions', await userSession(v, 'vic', 'viewer'))).json as any[];
    assert.equal(created.createdBy, 'user:anna');
    assert.equal(created.reason, 'the red team’s scanner this week');
    // 7 days from when it was made, by the server's clock
    assert.ok(Math.abs(created.expiresAt - created.createdAt - 7 * 86_400_000) < 1000, `${created.expiresAt - created.createdAt}`);

    await bruteForce(v, T0);
    assert.equal((await listIncidents(v.vigil.store.db, { indicator: ADDRESS })).items.length, 0, 'silenced: no incident');
    const det = await v.vigil.store.db.selectFrom('detections').select(['suppression_id', 'incident_id']).execute();
    assert.deepEqual(det.map((d) => [Number(d.suppression_id), d.incident_id]), [[created.id, null]]);
    await page.reload();
    await until(async () => (await page.locator(`tr[data-silence="${created.id}"] td[data-label="Hits"]`).innerText().catch(() => '')) === '1', 10_000, 'one hit shown');

    await page.getByRole('button', { name: `Expire now: silence ${created.id} of ${ADDRESS}` }).click();
    await page.locator('#silence-status', { hasText: 'has ended' }).waitFor();
    await until(async () => (await page.locator('tr[data-silence]').count()) === 0, 5000, 'the ended silence leaves the list in force');
    await page.getByLabel('show ended silences').check();
    await page.locator(`tr[data-silence="${created.id}"][data-state="expired"]`).waitFor();
    assert.match(await page.locator(`tr[data-silence="${created.id}"]`).innerText(), /ended /);
    const trail = await auditFor(v.vigil.store.db, `suppression:${created.id}`);
    assert.deepEqual(trail.map((t) => [t.action, t.actor]).sort(), [['suppression.create', 'user:anna'], ['suppression.expire', 'user:anna']]);

    // Twenty minutes later (a new correlation window), the same brute force: an incident, and its mail.
    await bruteForce(v, T0 + 20 * 60_000);
    const [inc] = (await listIncidents(v.vigil.store.db, { indicator: ADDRESS })).items;
    assert.ok(inc, 'an incident once the silence has ended');
    await smtp.waitFor(1, 15_000);
    assert.ok(smtp.messages.some((m) => (m.subject ?? '').includes(ADDRESS)));
    assert.deepEqual(b.problems, []);
  });

  it('the API: create (201), refuse a bad one (400), a viewer may not (403), expire (200, then 409), unknown (404)', async () => {
    const anna = await userSession(v, 'ann2', 'analyst');
    const viewer = await userSession(v, 'vic2', 'viewer');
    const body = { indicator: { kind: 'host', value: 'WIN-FS01' }, ruleId: 'some-rule', reason: 'patching window', expiresInMs: 3_600_000 };
    assert.equal((await call(v, 'POST', '/api/v1/suppressions', viewer, body)).status, 403);
    assert.equal((await call(v, 'POST', '/api/v1/suppressions', anna, { ...body, reason: '' })).status, 400);
    assert.equal((await call(v, 'POST', '/api/v1/suppressions', anna, { ...body, expiresInMs: 5 })).status, 400);
    const made = await call(v, 'POST', '/api/v1/suppressions', anna, body);
    assert.equal(made.status, 201);
    assert.equal(made.json.ruleId, 'some-rule');
    assert.equal((await call(v, 'POST', `/api/v1/suppressions/${made.json.id}/expire`, anna, {})).status, 200);
    const again = await call(v, 'POST', `/api/v1/suppressions/${made.json.id}/expire`, anna, {});
    assert.equal(again.status, 409);
    assert.match(again.json.message, /already expired/);
    assert.equal((await call(v, 'POST', '/api/v1/suppressions/99999/expire', anna, {})).status, 404);
    const all = (await call(v, 'GET', '/api/v1/suppressions?expired=true', viewer)).json as any[];
    assert.ok(all.some((s) => s.id === made.json.id && s.expiresAt <= Date.now()));
    assert.ok(!((await call(v, 'GET', '/api/v1/suppressions', viewer)).json as any[]).some((s) => s.id === made.json.id));
  });
});

describe('a silence that runs out', { skip: !chromiumAvailable() && 'no /usr/bin/chromium (apt-get install chromium)' }, () => {
  let v: Running;
  let b: TestBrowser;
  // Vigil's clock, moved forward by the test instead of waiting an hour.
  let ahead = 0;
  const clock = () => Date.now() + ahead;

  before(async () => {
    v = await startVigil({}, 'sqlite', undefined, { clock });
    await addUser(v.vigil.store.db, 'anna', PASSWORD, 'analyst');
    b = await openBrowser();
    await signIn(b.page, v.url, 'anna');
  });
  after(async () => {
    await b?.close();
    await v?.stop();
  });

  it('a one-hour silence made on the page suppresses, and an hour later it has expired: the page lists it as ended and the next brute force opens an incident', async () => {
    const { page } = b;
    await page.goto(`${v.url}/#/silences`);
    await page.getByLabel('Value').fill(ADDRESS);
    await page.getByLabel('Reason').fill('scanner during the maintenance hour');
    await page.getByLabel('Expires in').selectOption({ label: '1 hour' });
    await page.getByRole('button', { name: 'Create silence' }).click();
    await page.locator('#silence-status', { hasText: 'created' }).waitFor();
    await page.locator('tr[data-silence][data-state="active"]').waitFor();

    await bruteForce(v, T0);
    assert.equal((await listIncidents(v.vigil.store.db, { indicator: ADDRESS })).items.length, 0, 'inside the hour: silenced');

    ahead = 61 * 60_000;
    await page.reload();
    await page.locator('#silence-list', { hasText: 'none' }).waitFor();
    assert.equal(await page.locator('tr[data-silence]').count(), 0, 'no longer in force');
    await page.getByLabel('show ended silences').check();
    await page.locator('tr[data-silence][data-state="expired"]').waitFor();
    assert.equal(await page.getByRole('button', { name: /^Expire now/ }).count(), 0, 'nothing to end any more');

    await bruteForce(v, T0 + 20 * 60_000);
    assert.equal((await listIncidents(v.vigil.store.db, { indicator: ADDRESS })).items.length, 1, 'after the hour: an incident');
    assert.deepEqual(b.problems, []);
  });
});

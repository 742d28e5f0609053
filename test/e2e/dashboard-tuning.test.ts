// The tuning loop from the dashboard, in headless Chromium against a real Vigil: the rules page flags the noisy
// brute-force rule and sorts by false-positive ratio; Tune proposes a filter naming the backup account; the
// backtest shows its incidents vanish; Accept is possible only after a backtest of the text as it stands, and
// applies the filter (audited). A viewer sees quality but no Tune.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromiumAvailable, openBrowser, type TestBrowser } from '../helpers/browser.js';
import { PASSWORD, userSession, type Session } from '../helpers/session.js';
import { BRUTE_FORCE, FAILED_LOGON, NIGHTLY, seedBackupNoise } from '../helpers/tuning.js';
import { startVigil, type Running } from '../helpers/vigil.js';

describe('dashboard: tuning a noisy rule', { skip: !chromiumAvailable() && 'no /usr/bin/chromium (apt-get install chromium)' }, () => {
  let v: Running;
  let b: TestBrowser;
  let anna: Session;

  before(async () => {
    v = await startVigil(NIGHTLY);
    anna = await userSession(v, 'anna', 'analyst');
    await userSession(v, 'victor', 'viewer');
    await seedBackupNoise(v, anna);
    b = await openBrowser();
  });
  after(async () => {
    await b?.close();
    await v?.stop();
  });

  async function signIn(name: string) {
    const { page } = b;
    await page.goto(`${v.url}/#/login`);
    await page.getByLabel('User name').fill(name);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
  }

  it('flags the rule, sorts by FP ratio, and shows the verdict counts and MTTA', async () => {
    await signIn('anna');
    const { page } = b;
    await page.goto(`${v.url}/#/rules`);
    const row = page.locator(`tr[data-rule-row="${BRUTE_FORCE}"]`);
    await row.waitFor();
    assert.equal(await row.locator('.badge.flag').textContent(), 'noisy');
    assert.equal(await row.locator('td[data-label="FP ratio"]').textContent(), '75%');
    assert.equal(await row.locator('td[data-label="TP"]').textContent(), '1');
    assert.equal(await row.locator('td[data-label="FP"]').textContent(), '3');
    assert.notEqual(await row.locator('td[data-label="MTTA"]').textContent(), '—');
    await page.getByRole('button', { name: 'sort by false positives / incidents with a verdict' }).click();
    const th = page.locator('th', { has: page.locator('button[data-sort="FP ratio"]') });
    assert.equal(await th.getAttribute('aria-sort'), 'descending');
    assert.equal(await page.locator('tbody tr').first().getAttribute('data-rule-row'), BRUTE_FORCE, 'highest FP ratio first');
    // Ascending by incidents: the only rule with any comes last.
    const incidents = page.getByRole('button', { name: 'sort by incidents opened in the period' });
    await incidents.click();
    await incidents.click();
    assert.equal(await page.locator('th', { has: page.locator('button[data-sort="Incidents"]') }).getAttribute('aria-sort'), 'ascending');
    assert.equal(await th.getAttribute('aria-sort'), 'none');
    assert.equal(await page.locator('tbody tr').last().getAttribute('data-rule-row'), BRUTE_FORCE);
    assert.deepEqual(b.problems, []);
  });

  it('proposes a filter, backtests it, and accepts it only after that backtest', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'tune Windows Brute Force From One Source Address' }).click();
    const text = page.getByLabel('Sigma filter (YAML, editable)');
    await text.waitFor();
    assert.match(await text.inputValue(), /TargetUserName: svc_backup/);
    const accept = page.locator('#accept-filter');
    assert.equal(await accept.isDisabled(), true, 'nothing to accept before a backtest');
    await page.locator('#run-backtest').click();
    await page.locator('#backtest-totals').waitFor();
    assert.match((await page.locator('#backtest-totals').textContent()) ?? '', /4 incidents with the rules in force, 1 with the filter — 3 would vanish, 0 would appear/);
    assert.equal(await page.locator('tr[data-change="vanishes"]').count(), 3);
    // An edit after the backtest needs a new backtest before it can be accepted.
    await text.fill((await text.inputValue()) + '\n');
    assert.equal(await accept.isDisabled(), true);
    await page.locator('#run-backtest').click();
    await page.locator('#backtest-totals').waitFor();
    await page.waitForFunction(() => !(document.getElementById('accept-filter') as HTMLButtonElement).disabled);
    await accept.click();
    await page.locator('#accept-status.ok').waitFor();
    assert.match((await page.locator('#accept-status').textContent()) ?? '', /Accepted: .*narrows 1 rule.*In force now/);
    const audit = await v.vigil.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'rule.filter.accept').execute();
    assert.deepEqual(audit.map((a) => [a.actor, a.target, a.result]), [['user:anna', `rule:${FAILED_LOGON}`, 'ok']]);
    assert.deepEqual(b.problems, []);
  });

  it('a viewer reads the quality columns, without Tune', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn('victor');
    await page.goto(`${v.url}/#/rules`);
    await page.locator(`tr[data-rule-row="${BRUTE_FORCE}"]`).waitFor();
    assert.equal(await page.locator('button[data-tune]').count(), 0);
    assert.equal(await page.locator(`tr[data-rule-row="${BRUTE_FORCE}"] td[data-label="FP"]`).textContent(), '3');
  });
});

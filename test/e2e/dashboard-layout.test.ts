// Every dashboard page, and the approval page an email links to, at a phone's, a laptop's and a wide screen's
// width: the page never scrolls sideways, no badge breaks inside its word, and axe-core finds no serious or
// critical accessibility violation. The screenshots it takes are the README's pictures: with
// VIGIL_SCREENSHOTS=docs (`npm run docs:screenshots`) they are written to docs/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumAvailable, DOCS, openBrowser, signIn, SHOTS, type TestBrowser } from '../helpers/browser.js';
import { axeViolations, layoutProblems, WIDTHS } from '../helpers/layout.js';
import { ATTACKER, LONG_USER, startShowcase, type Showcase } from '../helpers/showcase.js';
import { until } from '../helpers/vigil.js';

/** A filter for the backup account of the showcase, backtested on the tuning panel. */
const TUNE_FILTER = [
  'title: Not the backup account',
  'logsource: {product: windows, service: security}',
  'filter:',
  '  rules: [windows_failed_logon]',
  '  selection: {TargetUserName: backup}',
  '  condition: not selection',
].join('\n');

interface PageCase {
  name: string;
  open(page: Page, s: Showcase): Promise<void>;
  /** Widths whose screenshot goes into the README. */
  pictured: number[];
}

const PAGES: PageCase[] = [
  {
    name: 'login',
    pictured: [],
    async open(page, s) {
      await page.goto(`${s.v.url}/#/login`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
    },
  },
  {
    name: 'queue',
    pictured: [1366, 390],
    async open(page, s) {
      await page.goto(`${s.v.url}/#/incidents?status=open,acknowledged,resolved`);
      await page.locator('tr[data-incident]').nth(3).waitFor();
    },
  },
  {
    name: 'incident',
    pictured: [1366, 390],
    async open(page, s) {
      await page.goto(`${s.v.url}/#/incidents/${encodeURIComponent(s.incidentId)}`);
      await page.locator('article.enrichment[data-provider="virustotal"] .badge').waitFor({ timeout: 15_000 });
    },
  },
  {
    name: 'overview',
    pictured: [1366],
    async open(page, s) {
      await page.goto(`${s.v.url}/#/overview`);
      await page.locator('#stat-open').waitFor();
    },
  },
  {
    name: 'rules',
    pictured: [1366],
    async open(page, s) {
      await page.goto(`${s.v.url}/#/rules`);
      await page.locator('tbody tr').first().waitFor();
    },
  },
  {
    // The tuning panel of the rules page with a backtest's difference (README "Tuning loop").
    name: 'rules-tune',
    pictured: [1366],
    async open(page, s) {
      await page.goto(`${s.v.url}/#/rules`);
      await page.getByRole('button', { name: 'tune Windows Brute Force From One Source Address' }).click();
      const text = page.getByLabel('Sigma filter (YAML, editable)');
      await text.waitFor();
      await text.fill(TUNE_FILTER);
      await page.locator('#run-backtest').click();
      await page.locator('#backtest-totals').waitFor({ timeout: 20_000 });
    },
  },
  {
    name: 'silences',
    pictured: [1366],
    async open(page, s) {
      await page.goto(`${s.v.url}/#/silences`);
      await page.locator('tr[data-silence]').nth(1).waitFor();
    },
  },
  {
    name: 'pivot',
    pictured: [1366],
    async open(page, s) {
      await page.goto(`${s.v.url}/#/pivot?kind=user&value=${encodeURIComponent(LONG_USER)}`);
      await page.locator('#pivot-scope').waitFor();
    },
  },
  {
    name: 'approval',
    pictured: [1366, 390],
    async open(page, s) {
      await page.goto(s.approvalUrl);
      await page.getByRole('button', { name: 'Approve block' }).waitFor();
    },
  },
];

describe('dashboard layout and accessibility in Chromium', { skip: !chromiumAvailable() && 'no /usr/bin/chromium (apt-get install chromium)' }, () => {
  let s: Showcase;
  let b: TestBrowser;

  before(async () => {
    s = await startShowcase();
    b = await openBrowser();
    mkdirSync(SHOTS, { recursive: true });
    const { page } = b;
    await signIn(page, s.v.url, 'anna');
  });
  after(async () => {
    await b?.close();
    await s?.close();
  });

  for (const p of PAGES) {
    for (const width of WIDTHS) {
      it(`${p.name} at ${width} px: no sideways scroll, no broken badge, no serious axe violation`, async () => {
        const { page } = b;
        await page.setViewportSize({ width, height: 900 });
        await p.open(page, s);
        await page.evaluate(() => document.fonts.ready);
        assert.deepEqual(await layoutProblems(page), [], `${p.name} at ${width} px`);
        assert.deepEqual(await axeViolations(page), [], `${p.name} at ${width} px`);
        if (!DOCS || p.pictured.includes(width)) await page.screenshot({ path: join(SHOTS, `${p.name}-${width}.png`), fullPage: true });
      });
    }
  }

  it('the status control shows the statuses the address asked for', async () => {
    const { page } = b;
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(`${s.v.url}/#/incidents?status=acknowledged,resolved`);
    await page.locator('tr[data-incident]').first().waitFor();
    const status = page.getByLabel('Status');
    assert.equal(await status.inputValue(), 'acknowledged,resolved');
    assert.equal((await status.locator('option:checked').textContent())?.trim(), 'acknowledged + resolved');
    assert.equal(await page.locator('tr[data-incident]').count(), 2);
  });

  it('pictures each kind of mail at 375 and 1000 px as a mail reader shows it', async () => {
    // The open mail with its approval link, and the resolve mail of the incident resolved with a verdict.
    await until(() => s.smtp.messages.some((m) => /192\.0\.2\.44/.test(m.subject ?? '') && /resolved/i.test(m.subject ?? '')), 20_000, 'the resolve mail');
    const mails = {
      opened: s.smtp.messages.find((m) => (m.subject ?? '').includes(ATTACKER) && (m.text ?? '').includes('/api/v1/approvals/')),
      resolved: s.smtp.messages.find((m) => /192\.0\.2\.44/.test(m.subject ?? '') && /resolved/i.test(m.subject ?? '')),
    };
    const reader = await b.context.newPage();
    // A mail is shown offline: nothing it references is fetched.
    await reader.route('**/*', (route) => route.abort());
    try {
      for (const [name, mail] of Object.entries(mails)) {
        assert.ok(mail && typeof mail.html === 'string' && mail.html.length > 0, `the ${name} mail has an HTML part`);
        for (const width of [375, 1000]) {
          await reader.setViewportSize({ width, height: 800 });
          await reader.setContent(mail.html as string);
          assert.match(await reader.locator('body').innerText(), /45\.9\.40\.77|192\.0\.2\.44/);
          await reader.screenshot({ path: join(SHOTS, `mail-${name}-${width}.png`), fullPage: true });
        }
      }
    } finally {
      await reader.close();
    }
  });
});

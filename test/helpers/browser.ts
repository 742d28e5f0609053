// Headless Debian Chromium driven by playwright-core: no browser download; a fresh profile per run.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './fixtures.js';

export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts');
/** With VIGIL_SCREENSHOTS=docs (`npm run docs:screenshots`) the pictures the README shows go to docs/screenshots. */
export const DOCS = process.env.VIGIL_SCREENSHOTS === 'docs';
export const SHOTS = DOCS ? join(ROOT, 'docs', 'screenshots') : ARTIFACTS;

export const chromiumAvailable = () => existsSync(CHROMIUM);

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors (CSP violations, failed loads other than 401) and page errors seen so far. */
  problems: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** `extraArgs`: more Chromium switches, e.g. a host-resolver rule that gives 127.0.0.1 another name. */
export async function openBrowser(extraArgs: string[] = []): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
  // Nothing leaves the machine: Chromium still looks up update.googleapis.com and accounts.google.com (and probes
  // IPv6 reachability) despite --disable-background-networking. Every name but the test's own resolves to
  // nothing; a test's own rules (a name for 127.0.0.1) come first.
  const own = extraArgs.filter((a) => a.startsWith('--host-resolver-rules=')).map((a) => a.slice('--host-resolver-rules='.length));
  const rules = [...own, 'MAP localhost 127.0.0.1', 'MAP * ~NOTFOUND', 'EXCLUDE 127.0.0.1'].join(', ');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1366, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-pings',
      '--disable-domain-reliability',
      '--disable-client-side-phishing-detection',
      '--disable-features=OptimizationHints,MediaRouter,NetworkTimeServiceQuerying,AutofillServerCommunication,CertificateTransparencyComponentUpdater',
      `--host-resolver-rules=${rules}`,
      ...extraArgs.filter((a) => !a.startsWith('--host-resolver-rules=')),
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    // A 401 is how the dashboard learns it must log in (and what a wrong password gets): expected, not a problem.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context,
    page,
    problems,
    async screenshot(name) {
      const file = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

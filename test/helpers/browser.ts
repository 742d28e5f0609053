// Headless Debian Chromium driven by playwright-core: no browser download; a fresh profile per run.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PASSWORD } from './session.js';
import { ROOT } from './fixtures.js';

// Debian's /usr/bin/chromium is a shell script that adds Google API keys and remote-extension switches from
// /etc/chromium.d (which make the browser call Google's account and update services); the binary itself has none.
export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? (existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium');
/** Where firejail is installed (`.ci/run` installs it) the browser runs without IPv6 sockets: see the script. */
const IPV4_ONLY = join(ROOT, 'test', 'helpers', 'chromium-ipv4-only.sh');
const FIREJAIL = ['/usr/bin/firejail', '/usr/local/bin/firejail'].some((f) => existsSync(f));
export const chromiumIsolated = () => FIREJAIL && process.env.VIGIL_CHROMIUM_UNISOLATED !== '1';
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
    executablePath: chromiumIsolated() ? IPV4_ONLY : CHROMIUM,
    env: { ...process.env, VIGIL_CHROMIUM_BINARY: CHROMIUM },
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
      // The last --disable-features wins, so this list repeats Playwright's own before adding to it.
      '--disable-features=AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,LensOverlay,MediaRouter,PaintHolding,ThirdPartyStoragePartitioning,AvoidCorsURLLoaderRestartOnRedirect,OptimizationHints,NetworkTimeServiceQuerying,AimEnabled,PreconnectToSearch,AutofillServerCommunication,CertificateTransparencyComponentUpdater',
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

/** Signs in on the dashboard's login page as a person does, and waits for the incident queue. */
export async function signIn(page: Page, baseUrl: string, name: string, password = PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/#/login`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Incidents' }).waitFor();
}

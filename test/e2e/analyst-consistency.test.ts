// One truth per fact, said the same way everywhere: for each scenario (brute force of 6 and of 1,000, password
// spray, a spray of more users than an incident keeps, success after failures, FIM, a forwarded Wazuh alert)
// every count, user list and verdict agrees between the mail's subject, its facts, its summary and its
// evidence, the API, and the incident page in Chromium — the first mail within itself, and the resolve mail with
// the API and the page. Mails go to a real SMTP server (parsed by mailparser). The FIM alert (Wazuh
// documentation, GPLv2+) and the Shellshock alert (Wazuh documentation, active-response page, GPLv2+) are REAL,
// unchanged; the Windows alerts are SYNTHETIC (test/helpers/fixtures.ts). Issue 12: the consistency test, and the end-to-end tests of items 3, 5 and 8.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { chromiumAvailable, openBrowser, signIn, type TestBrowser } from '../helpers/browser.js';
import { burst, failedLogon4625, ndjson, readShared } from '../helpers/fixtures.js';
import { call, userSession, type Session } from '../helpers/session.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { successfulLogon4624 } from '../helpers/triage.js';
import { post, startVigil, until, type Running } from '../helpers/vigil.js';
import { countPhrase, logonPhrase, nameList, plural, verdictLabel } from '../../src/model/wording.js';

const FIM = JSON.parse(readShared('data/wazuh/fim-550-docs-labels-3x.json'));
const SHELLSHOCK = JSON.parse(readShared('data/wazuh/ar-stdin-firewall-drop-31168.json')).parameters.alert;
const T0 = Date.now() - 20 * 60_000;
const at = (s: number) => new Date(T0 + s * 1000);

interface Scenario {
  name: string;
  alerts: unknown[];
  /** Which of the incidents the alerts open is this scenario's (by title). */
  title: RegExp;
  verdict: 'false_positive' | 'benign';
}

const SCENARIOS: Scenario[] = [
  {
    name: 'brute force of 6',
    alerts: [...[0, 1, 2, 3].map((s) => failedLogon4625({ ip: '45.9.81.1', user: 'administrator', time: at(s) })), failedLogon4625({ ip: '45.9.81.1', user: 'Administrator', time: at(4) }), failedLogon4625({ ip: '45.9.81.1', user: 'svc_backup', time: at(5) })],
    title: /^Windows Brute Force From One Source Address — 45\.9\.81\.1$/,
    verdict: 'benign',
  },
  { name: 'brute force of 1,000', alerts: burst('45.9.81.2', 1000, at(10), 200, 'administrator'), title: /^Windows Brute Force From One Source Address — 45\.9\.81\.2$/, verdict: 'false_positive' },
  {
    name: 'password spray',
    alerts: Array.from({ length: 12 }, (_, k) => failedLogon4625({ ip: '45.9.81.3', user: `user${String(k).padStart(2, '0')}`, time: at(300 + k) })),
    title: /^Windows Password Spray From One Source Address — 45\.9\.81\.3$/,
    verdict: 'benign',
  },
  {
    // More distinct users than an incident keeps (1,000 of each kind): every reader says there were more.
    name: 'password spray of 1,010 users',
    alerts: Array.from({ length: 1010 }, (_, k) => failedLogon4625({ ip: '45.9.81.5', user: `spray${String(k).padStart(4, '0')}`, time: new Date(T0 + 600_000 + k * 100) })),
    title: /^Windows Password Spray From One Source Address — 45\.9\.81\.5$/,
    verdict: 'false_positive',
  },
  {
    name: 'success after failures',
    alerts: [
      ...[0, 1, 2].flatMap((s) => [failedLogon4625({ ip: '45.9.81.4', user: 'administrator', time: at(400 + 2 * s) }), failedLogon4625({ ip: '45.9.81.4', user: 'svc_sql', time: at(401 + 2 * s) })]),
      successfulLogon4624({ ip: '45.9.81.4', user: 'svc_sql', time: at(430) }),
    ],
    title: /^Windows Successful Logon After Brute Force From The Same Address — 45\.9\.81\.4$/,
    verdict: 'benign',
  },
  { name: 'FIM change on a critical path (real alert)', alerts: [FIM], title: /^File Integrity Change On A Critical Path — 92603de31548$/, verdict: 'benign' },
  { name: 'forwarded Wazuh alert (real Shellshock, level 15)', alerts: [SHELLSHOCK], title: /^Shellshock attack detected — ubuntu-bionic$/, verdict: 'benign' },
];

/** The figures a mail states, each read where the mail says it. */
function mailFigures(m: ParsedMail) {
  const text = m.text ?? '';
  const line = (re: RegExp) => re.exec(text)?.[1];
  const subjectCount = /\(([\d,]+) events?\)$/.exec(m.subject ?? '')?.[1];
  const evidence = /^Evidence \((?:(\d+) of )?([\d,]+) events?\):$/m.exec(text);
  return {
    subject: subjectCount,
    facts: line(/^Events: (.+)$/m),
    summary: line(/^What happened: [^\n]*?: ([\d,]+ events? in [\d,]+ detections?)/m),
    evidenceTotal: evidence?.[2],
    evidenceShown: evidence?.[1] ? Number(evidence[1]) : evidence ? Number(evidence[2]!.replace(/,/g, '')) : undefined,
    evidenceLines: text.match(/^- \d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT[+-]\d\d:\d\d {2}user=/gm)?.length ?? 0,
    more: line(/^(and [\d,]+ more events?)$/m),
    users: line(/^Targeted users?: (.+)$/m),
    whatHappened: line(/^What happened: (.+)$/m),
    enrichment: line(/^Enrichment: (.+)$/m),
    resolved: line(/^Resolved: (.+)$/m),
    loggedOn: line(/^Accounts? that logged on: (.+)$/m),
  };
}

/** Within one mail, every statement of the count is the same figure. */
function selfConsistent(m: ParsedMail, what: string) {
  const f = mailFigures(m);
  const n = Number(f.subject!.replace(/,/g, ''));
  assert.ok(n > 0, `${what}: a count in the subject`);
  assert.match(f.facts!, new RegExp(`^${plural(n, 'event')} in \\d+ detections?$`), `${what}: facts`);
  assert.equal(f.summary, f.facts, `${what}: the summary says the facts' count`);
  assert.equal(f.evidenceTotal, n.toLocaleString('en-US'), `${what}: the evidence heading`);
  assert.equal(f.evidenceLines, Math.min(n, 20), `${what}: the evidence lines`);
  assert.equal(f.evidenceShown, Math.min(n, 20));
  if (n > 20) assert.equal(f.more, `and ${(n - 20).toLocaleString('en-US')} more events`, `${what}: what was left out is said`);
  return { n, f };
}

describe('one truth per fact: mail, API and page agree, scenario by scenario', { skip: !chromiumAvailable() && 'no /usr/bin/chromium (apt-get install chromium)' }, () => {
  let smtp: TestSmtp;
  let v: Running;
  let alice: Session;
  let b: TestBrowser;
  const ids = new Map<string, string>();

  before(async () => {
    smtp = await startSmtp();
    v = await startVigil({ channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, from: 'vigil@soc.example.org', to: ['soc@example.org'] } } });
    alice = await userSession(v, 'alice', 'analyst');
    let total = 0;
    for (const s of SCENARIOS) {
      total += s.alerts.length;
      assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(s.alerts))).status, 202, s.name);
    }
    await until(() => v.vigil.runner.position >= total, 60_000, 'every alert processed');
    for (const s of SCENARIOS) {
      await until(async () => {
        const items = (await call(v, 'GET', '/api/v1/incidents?status=open,acknowledged,resolved&limit=100', alice)).json.items as { id: string; title: string }[];
        const mine = items.find((i) => s.title.test(i.title));
        if (mine) ids.set(s.name, mine.id);
        return mine !== undefined;
      }, 20_000, `the incident of ${s.name}`);
    }
    // Every scenario's first mail, then a verdict that resolves it and its resolve mail.
    await until(() => SCENARIOS.every((s) => smtp.messages.some((m) => m.headers.get('x-vigil-incident') === ids.get(s.name))), 30_000, 'the first mails');
    for (const s of SCENARIOS) {
      const r = await call(v, 'POST', `/api/v1/incidents/${ids.get(s.name)}/verdict`, alice, { verdict: s.verdict, comment: `checked: ${s.name}` });
      assert.equal(r.status, 200, JSON.stringify(r.json));
    }
    await until(() => SCENARIOS.every((s) => mailsOf(s).some((m) => /RESOLVED/.test(m.subject ?? ''))), 30_000, 'the resolve mails');
    b = await openBrowser();
    await signIn(b.page, v.url, 'alice');
  });
  after(async () => {
    await b?.close();
    await v?.stop();
    await smtp?.close();
  });

  const mailsOf = (s: Scenario) => smtp.messages.filter((m) => m.headers.get('x-vigil-incident') === ids.get(s.name));

  /** What the incident page shows, read as the analyst reads it. */
  async function pageOf(id: string) {
    const { page } = b;
    await page.goto(`${v.url}/#/incidents/${id}`);
    await page.locator('#counts').waitFor();
    await page.locator('#verdict').filter({ hasText: /—/ }).waitFor();
    const dd = async (term: RegExp) => {
      const dt = page.locator('dl.facts > dt', { hasText: term });
      return (await dt.count()) ? (await dt.first().locator('xpath=following-sibling::dd[1]').innerText()).trim() : undefined;
    };
    return {
      counts: (await page.locator('#counts').innerText()).trim(),
      users: await dd(/^Users$/),
      verdict: (await page.locator('#verdict').innerText()).trim(),
      whatHappened: (await page.locator('section[aria-labelledby="h-summary"] > p').first().innerText()).trim(),
      summary: await page.locator('section[aria-labelledby="h-summary"]').innerText(),
      evidenceCaption: (await page.locator('caption', { hasText: /^Evidence/ }).innerText()).trim(),
      evidenceRows: await page.locator('tr[data-event]').count(),
      loggedOn: (await page.locator('#logged-on').count()) ? (await page.locator('#logged-on').innerText()).trim() : undefined,
      main: await page.locator('main').innerText(),
    };
  }

  for (const s of SCENARIOS) {
    it(`${s.name}: the counts, users and verdict agree between subject, body, summary, API and page`, async () => {
      const id = ids.get(s.name)!;
      const mails = mailsOf(s);
      const first = mails[0]!;
      const resolved = mails.find((m) => /RESOLVED/.test(m.subject ?? ''))!;
      selfConsistent(first, `${s.name}, first mail`);
      const { n, f } = selfConsistent(resolved, `${s.name}, resolve mail`);

      const d = (await call(v, 'GET', `/api/v1/incidents/${id}`, alice)).json;
      const i = d.incident;
      assert.equal(i.eventCount, n, 'the API counts what the mail counts');
      assert.equal(f.facts, countPhrase(i.eventCount, i.detectionCount));
      assert.equal(d.evidenceTotal, n);
      assert.equal(d.evidence.length, Math.min(n, 500));
      assert.equal(f.whatHappened, i.summary.whatHappened, 'the mail says the summary the API holds');
      assert.equal(f.enrichment, i.summary.enrichment);
      const users: string[] = i.users ?? [];
      const moreUsers = (i.indicatorsCapped ?? []).includes('user');
      assert.equal(moreUsers, s.name === 'password spray of 1,010 users', 'only the incident that saw more users than it keeps says so');
      assert.equal(f.users ?? '—', nameList(users, 10, moreUsers) || '—', 'the mail names the API\'s users, one spelling each');
      assert.equal(i.verdict, s.verdict);
      assert.match(f.resolved!, new RegExp(`^by alice \\(${verdictLabel(s.verdict)}\\) at .*; verdict ${verdictLabel(s.verdict)}: "checked: ${s.name.replace(/[()]/g, '\\$&')}"$`));

      const p = await pageOf(id);
      assert.equal(p.counts, countPhrase(i.eventCount, i.detectionCount), 'the page counts what the API and the mail count');
      assert.match(p.evidenceCaption, new RegExp(`^Evidence \\(${plural(n, 'event')}(, the first ${Math.min(n, 500)} shown)?\\)$`));
      assert.equal(p.evidenceRows, Math.min(n, 500));
      assert.equal(p.users, users.length ? users.join(', ') + (moreUsers ? ` and more (the first ${plural(users.length, 'user')} seen are listed)` : '') : undefined, 'the page names the same users');
      assert.ok(p.verdict.startsWith(`${verdictLabel(s.verdict)} — checked: ${s.name}`), p.verdict);
      assert.equal(p.whatHappened, i.summary.whatHappened, 'the page says the same summary');
      assert.ok(p.summary.includes(i.summary.enrichment));
      if (i.loggedOn?.length) {
        assert.equal(f.loggedOn, i.loggedOn.map((l: { user: string; sourceIp?: string; host?: string; time: number }) => logonPhrase(l, (ms) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' GMT+00:00'))).join('; '));
        assert.ok(p.loggedOn?.startsWith(i.loggedOn[0].user), p.loggedOn);
      }
    });
  }

  it('item 3: after failures, the account that logged on is named alike in the mail, the API and the page; only it is called compromised', async () => {
    const s = SCENARIOS.find((x) => x.name === 'success after failures')!;
    const d = (await call(v, 'GET', `/api/v1/incidents/${ids.get(s.name)}`, alice)).json;
    assert.deepEqual(d.incident.loggedOn.map((l: { user: string; sourceIp: string }) => [l.user, l.sourceIp]), [['svc_sql', '45.9.81.4']]);
    const f = mailFigures(mailsOf(s)[0]!);
    assert.match(f.loggedOn!, /^svc_sql from 45\.9\.81\.4 on WIN-DC01 at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\+00:00$/);
    const p = await pageOf(ids.get(s.name)!);
    assert.match(p.loggedOn!, /^svc_sql from 45\.9\.81\.4 on WIN-DC01 at \d{4}-\d\d-\d\d/);
    assert.match(p.summary, /Treat svc_sql as compromised \(it logged on\)/);
    assert.doesNotMatch(p.summary, /Treat [^\n]*administrator[^\n]* as compromised/);
  });

  it('item 5: each ATT&CK technique with its own tactics, in the mail and on the page', async () => {
    const s = SCENARIOS.find((x) => x.name.startsWith('forwarded'))!;
    const text = mailsOf(s)[0]!.text ?? '';
    assert.match(text, /^MITRE ATT&CK: T1068 Exploitation for Privilege Escalation \(Privilege Escalation\); T1190 Exploit Public-Facing Application \(Initial Access\)$/m);
    assert.doesNotMatch(text, /Privilege Escalation, Initial Access/);
    const p = await pageOf(ids.get(s.name)!);
    assert.match(p.summary, /T1068 Exploitation for Privilege Escalation \(Privilege Escalation\), T1190 Exploit Public-Facing Application \(Initial Access\)/);
    assert.doesNotMatch(p.summary, /Privilege Escalation, Initial Access/);
  });

  it('item 8: a forwarded alert says what Wazuh saw, shows the payload, hides config help and blocks no private address', async () => {
    const s = SCENARIOS.find((x) => x.name.startsWith('forwarded'))!;
    const m = mailsOf(s)[0]!;
    const text = m.text ?? '';
    assert.match(m.subject ?? '', /^\[Vigil\] CRITICAL: Shellshock attack detected from 192\.168\.0\.223 \(1 event\)$|^\[Vigil\] HIGH: Shellshock attack detected from 192\.168\.0\.223 \(1 event\)$/);
    assert.match(text, /^Rule: Shellshock attack detected$/m);
    assert.ok(text.includes('"() { :; }; /bin/cat /etc/passwd"'), 'the full_log, the attack payload');
    assert.ok(String(m.html).includes('&quot;() { :; }; /bin/cat /etc/passwd&quot;'), 'escaped in the HTML');
    assert.doesNotMatch(text, /placeholder|wazuh_forward_levels|detect\.placeholders|forwarding level/i, 'no configuration help for the analyst');
    assert.doesNotMatch(text, /Block 192\.168\.0\.223/);
    assert.match(text, /Find out what runs on 192\.168\.0\.223 \(an internal address\)/);
    const p = await pageOf(ids.get(s.name)!);
    assert.match(p.main, /^Shellshock attack detected — ubuntu-bionic$/m);
    assert.doesNotMatch(p.main, /placeholder|wazuh_forward_levels|detect\.placeholders/i);
    assert.doesNotMatch(p.summary, /Block 192\.168\.0\.223/);
    // The payload is one click away: the raw alert of its evidence row.
    await b.page.locator('tr[data-event]').first().getByRole('button', { name: 'Show JSON' }).click();
    await b.page.locator('pre.json').waitFor();
    assert.ok((await b.page.locator('pre.json').innerText()).includes('() { :; }; /bin/cat /etc/passwd'));
  });
});

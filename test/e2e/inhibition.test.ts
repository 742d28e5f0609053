// Inhibition through a running Vigil and a real SMTP server: a brute force is mailed when it opens; the logon that
// succeeded from the same address opens a critical incident, which is mailed, and escalates the brute force —
// whose separate escalation mail a playbook with `inhibit: silence` holds back (the incident says why, on the
// API and on its dashboard page). Without inhibition the same alerts send that third mail; with `fold` the brute
// force is also linked into the critical incident.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addUser } from '../../src/server/auth/users.js';
import { getIncident as getDetail } from '../../src/server/queries/incidents.js';
import { listIncidents } from '../../src/triage/queries.js';
import { chromiumAvailable, openBrowser, signIn } from '../helpers/browser.js';
import { axeViolations, layoutProblems } from '../helpers/layout.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { PASSWORD } from '../helpers/session.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { handled, successfulLogon4624 } from '../helpers/triage.js';
import { post, postgresAvailable, startVigil, type Backend, type Running } from '../helpers/vigil.js';

const T0 = Date.now() - 3_600_000;

async function send(v: Running, alerts: unknown[]): Promise<void> {
  assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts))).status, 202);
  await handled(v, 30_000);
}

/** Waits for `n` mails, lets the outbox run what is due, and waits a moment more for a stray one. */
async function mails(v: Running, smtp: TestSmtp, n: number): Promise<string[]> {
  await smtp.waitFor(n, 15_000);
  await v.vigil.outbox.runDue();
  await new Promise((r) => setTimeout(r, 500));
  return smtp.messages.map((m) => m.subject ?? '');
}

/** A brute force from `ip`, mailed when it opens; then the logon from `ip` that succeeded. */
async function breakIn(v: Running, smtp: TestSmtp, ip: string, user: string): Promise<string[]> {
  const before = smtp.messages.length;
  await send(v, burst(ip, 6, new Date(T0), 2000, user));
  await mails(v, smtp, before + 1);
  await send(v, [successfulLogon4624({ ip, user, time: new Date(T0 + 60_000) })]);
  return (await mails(v, smtp, before + 2)).slice(before).filter((s) => s.includes(ip) || s.includes('Successful Logon'));
}

const email = (smtp: TestSmtp) => ({ enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] });

const postgres = await postgresAvailable();

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`inhibition on ${backend}`, { skip: backend === 'postgres' && !postgres && 'PostgreSQL is not reachable' }, () => {
    let smtp: TestSmtp;
    let v: Running;
    before(async () => {
      smtp = await startSmtp();
      v = await startVigil({
        channels: { email: email(smtp) },
        playbooks: [
          // Per playbook: addresses in 192.0.2.0/24 fold into the stronger incident; everything else is silenced.
          { name: 'fold-lab', match: { entity: { IpAddress: '192.0.2.*' } }, actions: [{ notify: 'email' }], inhibit: { mode: 'fold' }, continue: false },
          { name: 'soc', actions: [{ notify: 'email' }], inhibit: { mode: 'silence', by: 'critical' } },
        ],
      }, backend);
      await addUser(v.vigil.store.db, 'anna', PASSWORD, 'analyst');
    });
    after(async () => {
      await v?.stop();
      await smtp?.close();
    });

    it('a critical success-after-brute-force silences the brute-force incident\'s separate escalation mail', async () => {
      const ip = '198.51.100.91';
      const subjects = await breakIn(v, smtp, ip, 'svc_sql');
      assert.equal(subjects.length, 2, subjects.join('\n'));
      assert.match(subjects[0]!, /^\[Vigil\] HIGH: Windows Brute Force From One Source Address from 198\.51\.100\.91/);
      assert.match(subjects[1]!, /^\[Vigil\] CRITICAL: Windows Successful Logon After Brute Force/);
      assert.ok(!smtp.messages.some((m) => /ESCALATED/.test(m.subject ?? '')), 'no escalation mail');

      const items = (await listIncidents(v.vigil.store.db, { indicator: ip })).items;
      const brute = items.find((i) => i.title.startsWith('Windows Brute Force'))!;
      const success = items.find((i) => i.title.startsWith('Windows Successful Logon'))!;
      assert.equal(brute.escalated, true, 'it was escalated, only not mailed');
      assert.equal(brute.level, 'critical');
      assert.ok(success.severity.score > brute.severity.score, `${success.severity.score} > ${brute.severity.score}`);
      const detail = (await getDetail(v.vigil.store.db, brute.id))!;
      assert.deepEqual(detail.inhibition && { ...detail.inhibition, at: 0 }, {
        mode: 'silenced',
        by: success.id,
        title: success.title,
        level: 'critical',
        shared: { kind: 'ip', value: ip },
        change: 'escalated',
        playbooks: ['soc'],
        channels: ['email'],
        at: 0,
      });
      assert.ok(detail.audit.some((a) => a.action === 'notification.inhibited' && a.actor === 'system' && a.result === 'silenced'));
      assert.equal((await getDetail(v.vigil.store.db, success.id))!.inhibition, null, 'the stronger one is not held back');
      // Only the escalation was held back: the brute force's outbox has its opening mail and nothing more.
      assert.deepEqual(detail.actions.map((a) => [a.channel, a.state]), [['email', 'delivered']]);
    });

    it('fold (another playbook): the brute force is also linked into the critical incident, with the reason', async () => {
      const ip = '192.0.2.91';
      const subjects = await breakIn(v, smtp, ip, 'svc_sql');
      assert.equal(subjects.length, 2, subjects.join('\n'));
      const items = (await listIncidents(v.vigil.store.db, { indicator: ip })).items;
      const brute = items.find((i) => i.title.startsWith('Windows Brute Force'))!;
      const success = items.find((i) => i.title.startsWith('Windows Successful Logon'))!;
      const detail = (await getDetail(v.vigil.store.db, brute.id))!;
      assert.equal(detail.inhibition?.mode, 'folded');
      assert.deepEqual(detail.inhibition?.playbooks, ['fold-lab']);
      const reason = `folded into the critical incident (same address ${ip})`;
      assert.deepEqual(detail.incident.links.filter((l) => l.incidentId === success.id).map((l) => l.reason), [reason]);
      assert.deepEqual((await getDetail(v.vigil.store.db, success.id))!.incident.links.filter((l) => l.incidentId === brute.id).map((l) => l.reason), [reason]);
      // The first break-in's incidents share the account, not the entity: they inhibit nothing here.
      assert.equal(detail.inhibition?.by, success.id);
    });

    // The page is the same whichever store is underneath: shown once.
    if (backend === 'sqlite')
    it('the incident page says why it was silenced, linking the critical incident', { skip: !chromiumAvailable() && 'no /usr/bin/chromium' }, async () => {
      const ip = '198.51.100.91';
      const items = (await listIncidents(v.vigil.store.db, { indicator: ip })).items;
      const brute = items.find((i) => i.title.startsWith('Windows Brute Force'))!;
      const success = items.find((i) => i.title.startsWith('Windows Successful Logon'))!;
      const b = await openBrowser();
      try {
        const { page } = b;
        await signIn(page, v.url, 'anna');
        await page.goto(`${v.url}/#/incidents/${encodeURIComponent(brute.id)}`);
        const note = page.locator('#inhibition');
        await note.waitFor();
        const text = await note.innerText();
        assert.match(text, /^Silenced: the escalated message \(email; playbook soc\) was held back at .* because the critical incident Windows Successful Logon After Brute Force/);
        assert.match(text, /is open for the same address 198\.51\.100\.91\.$/);
        assert.equal(await note.getByRole('link', { name: success.title }).getAttribute('href'), `#/incidents/${encodeURIComponent(success.id)}`);
        assert.deepEqual(b.problems, []);
        // The note on the page passes the dashboard's layout and axe checks at a phone's width too.
        for (const width of [390, 1366]) {
          await page.setViewportSize({ width, height: 900 });
          assert.deepEqual(await layoutProblems(page), [], `at ${width} px`);
          assert.deepEqual(await axeViolations(page), [], `at ${width} px`);
        }
        await b.screenshot('inhibited-incident');
      } finally {
        await b.close();
      }
    });
  });
}

describe('without inhibition', () => {
  it('the same alerts send the brute force\'s escalation mail too (three mails)', async () => {
    const smtp = await startSmtp();
    const v = await startVigil({ channels: { email: email(smtp) }, playbooks: [{ name: 'soc', actions: [{ notify: 'email' }] }] });
    try {
      const ip = '198.51.100.92';
      const before = smtp.messages.length;
      await send(v, burst(ip, 6, new Date(T0), 2000, 'svc_sql'));
      await mails(v, smtp, before + 1);
      await send(v, [successfulLogon4624({ ip, user: 'svc_sql', time: new Date(T0 + 60_000) })]);
      const subjects = await mails(v, smtp, before + 3);
      assert.equal(subjects.length, 3, subjects.join('\n'));
      assert.ok(subjects.some((s) => /^\[Vigil\] ESCALATED to CRITICAL: Windows Brute Force From One Source Address/.test(s)), subjects.join('\n'));
      const brute = (await listIncidents(v.vigil.store.db, { indicator: ip })).items.find((i) => i.title.startsWith('Windows Brute Force'))!;
      assert.equal((await getDetail(v.vigil.store.db, brute.id))!.inhibition, null);
    } finally {
      await v.stop();
      await smtp.close();
    }
  });
});

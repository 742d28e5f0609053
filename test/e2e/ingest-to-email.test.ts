// The foundation's whole path, for real: HTTP ingest → SQLite/PostgreSQL → Sigma → incident → outbox →
// SMTP (smtp-server) → the mail as an analyst reads it (mailparser).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { burst, failedLogon4625, ndjson } from '../helpers/fixtures.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { post, postgresAvailable, startVigil, until, type Backend, type Running, scrape } from '../helpers/vigil.js';

const T0 = new Date('2026-11-21T10:00:00Z');

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe(`ingest to email on ${backend}`, async () => {
    const available = backend === 'sqlite' || (await postgresAvailable());
    let smtp: TestSmtp;
    let v: Running;
    const ingest = () => `${v.url}/api/v1/ingest/wazuh`;

    before(async () => {
      if (!available) return;
      smtp = await startSmtp({ user: 'vigil', pass: 'secret' });
      v = await startVigil(
        {
          channels: {
            email: { enabled: true, host: '127.0.0.1', port: smtp.port, user: 'vigil', pass: 'secret', from: 'Vigil <vigil@example.org>', to: ['soc@example.org'] },
          },
        },
        backend,
      );
    });
    after(async () => {
      await v?.stop();
      await smtp?.close();
    });

    it('a 4625 brute force (6 in 5 minutes) produces exactly one email that names rule, IP, count, user and host', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const alerts = burst('203.0.113.7', 6, T0, 30_000, 'administrator');
      const res = await post(ingest(), ndjson(alerts));
      assert.equal(res.status, 202);
      assert.deepEqual(res.json, { accepted: 6, duplicates: 0 });
      const [mail] = await smtp.waitFor(1);
      assert.ok(mail);
      assert.match(mail.subject ?? '', /Windows Brute Force From One Source Address/);
      assert.match(mail.subject ?? '', /203\.0\.113\.7/);
      assert.match(mail.subject ?? '', /\(6 events\)/, 'every counted event: five fired the rule, the sixth was absorbed');
      assert.match(mail.text ?? '', /Targeted user: administrator/);
      assert.match(mail.text ?? '', /Host: WIN-DC01/);
      assert.match(mail.text ?? '', /Severity: high/);
      assert.match(mail.text ?? '', /First seen: 2026-11-21 10:00:00 GMT\+00:00/);
      assert.match(mail.text ?? '', /Last seen: 2026-11-21 10:02:30 GMT\+00:00/, 'the sixth failure, 30 s after the fifth');
      const html = String(mail.html);
      assert.match(html, /<table/);
      assert.equal((html.match(/<tr><td [^>]*><b>2026-11-21/g) ?? []).length, 6, 'the evidence lists all six failed logons');
      // A second delivery of the same alerts (a retried POST, or a second source) changes nothing.
      const again = await post(ingest(), ndjson(alerts));
      assert.deepEqual(again.json, { accepted: 0, duplicates: 6 });
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(smtp.messages.length, 1);
    });

    it('an attacker-chosen username arrives escaped in HTML and cannot inject headers', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const before = smtp.messages.length;
      const evil = '<img src=x onerror=alert(1)>';
      const alerts = burst('198.51.100.66', 5, T0, 1000, evil);
      assert.equal((await post(ingest(), ndjson(alerts))).status, 202);
      const mails = await smtp.waitFor(before + 1);
      const mail = mails[before]!;
      const html = String(mail.html);
      assert.ok(!html.includes(evil), 'raw markup never reaches the HTML');
      assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
      assert.match(mail.text ?? '', /Targeted user: <img src=x onerror=alert\(1\)>/, 'the text part shows it as it is');
    });

    it('refuses a missing or wrong token with 401 and records nothing', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const body = ndjson([failedLogon4625({ ip: '192.0.2.1', time: T0 })]);
      assert.equal((await post(ingest(), body, { authorization: '' })).status, 401);
      const wrong = await post(ingest(), body, { authorization: 'Bearer nope' });
      assert.equal(wrong.status, 401);
    });

    it('rejects malformed JSON with 400 naming the line', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const good = JSON.stringify(failedLogon4625({ ip: '192.0.2.2', time: T0 }));
      const res = await post(ingest(), `${good}\n{"rule": \n${good}\n`);
      assert.equal(res.status, 400);
      assert.match(res.json.message, /^line 2: invalid JSON/);
      const notObject = await post(ingest(), '[1]', { 'content-type': 'application/json' });
      assert.equal(notObject.status, 400);
      assert.match(notObject.json.message, /^element 1 of the array: expected a JSON object/);
    });

    it('accepts one object and a JSON array as application/json', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const one = await post(ingest(), JSON.stringify(failedLogon4625({ ip: '192.0.2.3', time: T0 })), { 'content-type': 'application/json' });
      assert.deepEqual(one.json, { accepted: 1, duplicates: 0 });
      const arr = [failedLogon4625({ ip: '192.0.2.3', time: T0 }), failedLogon4625({ ip: '192.0.2.3', time: T0 })];
      const many = await post(ingest(), JSON.stringify(arr), { 'content-type': 'application/json' });
      assert.deepEqual(many.json, { accepted: 2, duplicates: 0 });
    });

    it('answers 413 for a body over the limit', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      const big = 'x'.repeat(v.config.server.bodyLimit + 10);
      const res = await post(ingest(), big);
      assert.equal(res.status, 413);
      assert.match(res.json.message, /server\.bodyLimit/);
    });

    it('serves /healthz, /readyz and /metrics', { skip: !available && 'PostgreSQL is not reachable' }, async () => {
      assert.equal((await fetch(`${v.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${v.url}/readyz`)).status, 200);
      const metrics = await scrape(v);
      assert.match(metrics, /vigil_alerts_ingested_total\{source="webhook"\} \d+/);
    });
  });
}

describe('restart safety', () => {
  it('an attack that spans a restart is detected once and mailed once', async () => {
    const smtp = await startSmtp();
    const email = { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] };
    const now = Date.now();
    const alerts = burst('203.0.113.99', 8, new Date(now - 60_000), 5_000);
    let v = await startVigil({ channels: { email } });
    const dir = v.dir;
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts.slice(0, 3)))).status, 202);
    await until(() => v.vigil.runner.position >= 3, 5000, 'first alerts processed');
    await v.stop();
    v = await startVigil({ channels: { email } }, 'sqlite', dir);
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(alerts.slice(3)))).status, 202);
    await smtp.waitFor(1);
    await v.stop();
    // and a third start replays nothing twice
    v = await startVigil({ channels: { email } }, 'sqlite', dir);
    await new Promise((r) => setTimeout(r, 500));
    await v.stop();
    assert.equal(smtp.messages.length, 1);
    assert.match(smtp.messages[0]!.subject ?? '', /203\.0\.113\.99/);
    await smtp.close();
  });
});

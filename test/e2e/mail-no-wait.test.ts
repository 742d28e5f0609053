// Mail without waiting for nothing: a notification held for its enrichment goes when its deadline passes — the
// outbox is woken at the release time, not found by a poll (the poll here is a minute) — and once VirusTotal is
// known to refuse (quota spent, in back-off), a new incident's notification is not held for a lookup that
// cannot run before the deadline; mails share one pooled SMTP connection. Real SMTP server, fake VirusTotal (its
// documented 429 QuotaExceededError).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeVirusTotal, type FakeVirusTotal } from '../fakes/virustotal.js';
import { burst, ndjson } from '../helpers/fixtures.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { post, startVigil, until, type Running } from '../helpers/vigil.js';

const T0 = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000);
const DEADLINE = 6_000;

describe('mail without waiting for nothing', () => {
  let smtp: TestSmtp;
  let vt: FakeVirusTotal;
  let v: Running;
  before(async () => {
    smtp = await startSmtp();
    vt = await startFakeVirusTotal(['vt-key']);
    // The first incident's lookup is still in flight at its deadline (VirusTotal holds the request).
    vt.hold.add('45.9.31.1');
    v = await startVigil({
      channels: { email: { enabled: true, host: '127.0.0.1', port: smtp.port, to: ['soc@example.org'] } },
      actions: { outbox: { poll: '60s' } },
      enrich: { deadline: `${DEADLINE}ms`, virustotal: { enabled: true, apiKey: 'vt-key', baseUrl: vt.url }, geoip: { enabled: false } },
    });
  });
  after(async () => {
    await v?.stop();
    await smtp?.close();
    await vt?.close();
  });

  /** Milliseconds from queueing the incident's mail to its delivery being recorded. */
  const delivery = async (ip: string) => {
    const read = () =>
      v.vigil.store.db
        .selectFrom('outbox')
        .innerJoin('incidents', 'incidents.id', 'outbox.incident_id')
        .select(['outbox.delivered_at', 'outbox.created_at'])
        .where('incidents.title', 'like', `%${ip}%`)
        .executeTakeFirst();
    await until(async () => (await read())?.delivered_at != null, 10_000, `the delivery for ${ip} recorded`);
    const row = (await read())!;
    return Number(row.delivered_at) - Number(row.created_at);
  };

  it('a notification held for a lookup still running goes at its deadline, though the outbox polls once a minute', async () => {
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(burst('45.9.31.1', 5, T0, 10_000)))).status, 202);
    await smtp.waitFor(1, 30_000);
    const waited = await delivery('45.9.31.1');
    // The lookup had not answered by the deadline: the mail waited for the deadline, then went.
    assert.ok(waited >= DEADLINE - 50, `delivered ${waited} ms after it was queued`);
    assert.ok(waited < 40_000, `delivered ${waited} ms after it was queued: not left for the next poll`);
    // The held request now meets a spent quota: VirusTotal refuses and goes into back-off.
    vt.exhausted = true;
    vt.release('45.9.31.1');
  });

  it('with VirusTotal in back-off, the next incident is not held for it', async () => {
    await until(async () => (await v.vigil.store.db.selectFrom('enrich_quota').select('blocked_until').where('provider', '=', 'virustotal').executeTakeFirst())?.blocked_until! > Date.now(), 10_000, 'the back-off recorded');
    assert.equal((await post(`${v.url}/api/v1/ingest/wazuh`, ndjson(burst('45.9.31.2', 5, T0, 10_000)))).status, 202);
    await smtp.waitFor(2, 30_000);
    const waited = await delivery('45.9.31.2');
    assert.ok(waited < DEADLINE - 1000, `delivered ${waited} ms after it was queued: it waited for a lookup that could not run`);
    const mail = smtp.messages.find((m) => (m.subject ?? '').includes('45.9.31.2'))!;
    assert.match(mail.text ?? '', /VirusTotal: PENDING/, 'the mail says the lookup is still to come');
  });

  it('both mails went over one pooled SMTP connection', () => {
    assert.equal(smtp.connections.length, 2);
    assert.equal(new Set(smtp.connections).size, 1);
  });
});

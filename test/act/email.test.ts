// The email channel against a real SMTP server (smtp-server): implicit TLS, STARTTLS (required), auth,
// presets, per-recipient time zones, and updates that reply to the incident's first message.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { EmailChannel } from '../../src/act/channels/email.js';
import { configSchema } from '../../src/config/schema.js';
import { ROOT } from '../helpers/fixtures.js';
import { itemFor, sampleNotification } from '../helpers/notification.js';
import { startSmtp } from '../helpers/smtp.js';

const TLS = `${ROOT}/test/fakes/tls`;
const tls = { key: readFileSync(`${TLS}/server.key`), cert: readFileSync(`${TLS}/server.pem`) };
const email = (c: Record<string, unknown>) => configSchema.parse({ channels: { email: { enabled: true, host: '127.0.0.1', to: ['soc@example.org'], ...c } } }).channels.email;

async function sendOnce(config: ReturnType<typeof email>, n = sampleNotification()) {
  const ch = new EmailChannel(config);
  try {
    await ch.send(itemFor('email', n));
  } finally {
    await ch.close();
  }
}

describe('email over SMTP', () => {
  it('implicit TLS with authentication, checking the certificate against the configured CA', async () => {
    const smtp = await startSmtp({ tls, implicitTls: true, user: 'vigil', pass: 's3cret' });
    await sendOnce(email({ port: smtp.port, secure: true, user: 'vigil', pass: 's3cret', caFile: `${TLS}/ca.pem` }));
    await smtp.waitFor(1);
    assert.deepEqual(smtp.sessions[0], { secure: true, user: 'vigil' });
    // Without the CA the certificate is refused: nothing is sent in the clear or to an impostor.
    await assert.rejects(sendOnce(email({ port: smtp.port, secure: true, user: 'vigil', pass: 's3cret' })), /certificate/i);
    await assert.rejects(sendOnce(email({ port: smtp.port, secure: true, user: 'vigil', pass: 'wrong', caFile: `${TLS}/ca.pem` })), /Invalid username or password|EAUTH/i);
    assert.equal(smtp.messages.length, 1);
    await smtp.close();
  });

  it('STARTTLS: upgraded when offered; with requireTLS a server without it is refused', async () => {
    const smtp = await startSmtp({ tls, user: 'vigil', pass: 's3cret' });
    await sendOnce(email({ port: smtp.port, requireTLS: true, user: 'vigil', pass: 's3cret', caFile: `${TLS}/ca.pem` }));
    await smtp.waitFor(1);
    assert.equal(smtp.sessions[0]!.secure, true, 'the session was upgraded before AUTH and DATA');
    await smtp.close();
    const plain = await startSmtp({ user: 'vigil', pass: 's3cret' });
    await assert.rejects(sendOnce(email({ port: plain.port, requireTLS: true, user: 'vigil', pass: 's3cret' })), /STARTTLS/i);
    assert.equal(plain.messages.length, 0);
    await plain.close();
  });

  it('presets fill the provider endpoints; explicit keys win', () => {
    const m365 = configSchema.parse({ channels: { email: { preset: 'm365' } } }).channels.email;
    assert.deepEqual([m365.host, m365.port, m365.secure, m365.requireTLS], ['smtp.office365.com', 587, false, true]);
    const gmail = configSchema.parse({ channels: { email: { preset: 'gmail' } } }).channels.email;
    assert.deepEqual([gmail.host, gmail.port, gmail.secure], ['smtp.gmail.com', 465, true]);
    const trap = configSchema.parse({ channels: { email: { preset: 'mailtrap', port: 587 } } }).channels.email;
    assert.deepEqual([trap.host, trap.port, trap.requireTLS], ['sandbox.smtp.mailtrap.io', 587, true]);
  });

  it('each recipient reads times in their own zone; one mail per zone, each with a stable Message-ID', async () => {
    const smtp = await startSmtp();
    await sendOnce(email({ port: smtp.port, to: ['utc@example.org', { address: 'berlin@example.org', timezone: 'Europe/Berlin' }, { address: 'ny@example.org', timezone: 'America/New_York' }] }));
    const mails = await smtp.waitFor(3);
    const byTo = new Map(mails.map((m) => [String((m.to as any).text), m]));
    assert.match(byTo.get('utc@example.org')!.text ?? '', /First seen: 2026-11-21 10:00:00 GMT\+00:00/);
    assert.match(byTo.get('berlin@example.org')!.text ?? '', /First seen: 2026-11-21 11:00:00 GMT\+01:00/);
    assert.match(byTo.get('ny@example.org')!.text ?? '', /First seen: 2026-11-21 05:00:00 GMT-05:00/);
    assert.equal(new Set(mails.map((m) => m.messageId)).size, 3);
    // RFC 5322 msg-id: dot-atoms on both sides (no ":" on the left, a domain on the right: here from `from`).
    assert.ok(mails.every((m) => /^<inc\d+\.email\.1\.[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*@localhost>$/.test(m.messageId ?? '')), mails.map((m) => m.messageId).join(' '));
    await smtp.close();
  });

  it('an escalation replies to the first message, so mail clients thread it', async () => {
    const smtp = await startSmtp();
    const config = email({ port: smtp.port });
    await sendOnce(config, sampleNotification());
    await sendOnce(config, sampleNotification({ revision: 2, change: 'escalated', level: 'critical' }));
    const [first, second] = await smtp.waitFor(2);
    assert.equal(second!.inReplyTo, first!.messageId);
    assert.match(second!.subject ?? '', /^\[Vigil\] ESCALATED to CRITICAL: /);
    await smtp.close();
  });

  it('the HTML is table-based and responsive, with an approval button and a plain-text twin', async () => {
    const smtp = await startSmtp();
    const n = sampleNotification();
    n.approvals = [{ address: '203.0.113.7', agents: ['003'], url: 'https://vigil.example.org/api/v1/approvals/7?exp=1&sig=abc"><script>', expiresAt: Date.parse('2026-11-21T11:00:00Z') }];
    await sendOnce(email({ port: smtp.port }), n);
    const [mail] = await smtp.waitFor(1);
    const html = String(mail!.html);
    assert.match(html, /<table role="presentation"/);
    assert.match(html, /@media only screen and \(max-width:620px\)/);
    assert.match(html, /<!--\[if mso\]>/, 'a fixed-width wrapper for Outlook');
    assert.ok(!html.includes('"><script>'), 'the link is attribute-escaped');
    assert.match(html, /href="https:\/\/vigil\.example\.org\/api\/v1\/approvals\/7\?exp=1&amp;sig=abc&quot;&gt;&lt;script&gt;"/);
    assert.match(mail!.text ?? '', /Proposed response:\n- block 203\.0\.113\.7 on 003: https:\/\/vigil\.example\.org\/api\/v1\/approvals\/7/);
    await smtp.close();
  });
});

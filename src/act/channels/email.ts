// SMTP email through nodemailer: implicit TLS, STARTTLS, auth. The Message-ID derives from the idempotency
// key, so a resend after a crash is the same message (mail stores and clients collapse it); later revisions
// reply to the first message, so an escalation or resolution lands in the incident's thread.
import { readFileSync } from 'node:fs';
import nodemailer, { type Transporter } from 'nodemailer';
import type { EmailConfig } from '../../config/schema.js';
import type { Channel, OutboxItem } from '../channel.js';
import type { Notification } from '../notification.js';
import { renderEmail } from '../render/email.js';
import { headerSafe } from '../render/text.js';

/** `<incident:email:revision[.zone]@vigil>`: stable for one delivery, whatever the number of attempts. */
export function messageId(key: string, zone?: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9.:_-]/g, '-');
  return `<${safe(key)}${zone ? `.${safe(zone)}` : ''}@vigil>`;
}

/** Recipients grouped by the time zone they read in. */
export function recipientsByZone(config: Pick<EmailConfig, 'to' | 'timezone'>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const r of config.to) {
    const address = typeof r === 'string' ? r : r.address;
    const zone = (typeof r === 'string' ? undefined : r.timezone) ?? config.timezone;
    groups.set(zone, [...(groups.get(zone) ?? []), headerSafe(address)]);
  }
  return groups;
}

export class EmailChannel implements Channel {
  readonly name = 'email';
  private transport: Transporter;

  constructor(private readonly config: EmailConfig) {
    this.transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      requireTLS: config.requireTLS,
      auth: config.user ? { user: config.user, pass: config.pass } : undefined,
      tls: { rejectUnauthorized: config.tlsRejectUnauthorized, ...(config.caFile ? { ca: readFileSync(config.caFile) } : {}) },
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
    });
  }

  async send(item: OutboxItem): Promise<void> {
    const n = item.payload as unknown as Notification;
    const groups = recipientsByZone(this.config);
    const revision = n.incident.revision ?? 1;
    // Replies point at revision 1's message, so every update joins the thread the first mail started.
    const rootKey = item.idempotencyKey.replace(/:\d+$/, ':1');
    for (const [zone, to] of groups) {
      const suffix = groups.size > 1 ? zone : undefined;
      const root = revision > 1 ? messageId(rootKey, suffix) : undefined;
      const mail = renderEmail(n, zone);
      await this.transport.sendMail({
        from: headerSafe(this.config.from),
        to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        messageId: messageId(item.idempotencyKey, suffix),
        ...(root ? { inReplyTo: root, references: [root] } : {}),
        headers: { 'X-Vigil-Incident': headerSafe(item.incidentId) },
      });
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

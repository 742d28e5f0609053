// SMTP email through nodemailer: implicit TLS, STARTTLS, auth. The Message-ID derives from the idempotency
// key, so a receiving system sees a resend after a crash as the same message.
import nodemailer, { type Transporter } from 'nodemailer';
import type { EmailConfig } from '../../config/schema.js';
import type { Channel, OutboxItem } from '../channel.js';
import type { Notification } from '../notification.js';
import { renderEmail } from '../render/email.js';
import { headerSafe } from '../render/text.js';

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
      tls: { rejectUnauthorized: config.tlsRejectUnauthorized },
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
    });
  }

  async send(item: OutboxItem): Promise<void> {
    const n = item.payload as unknown as Notification;
    const mail = renderEmail(n, this.config.timezone);
    await this.transport.sendMail({
      from: headerSafe(this.config.from),
      to: this.config.to.map((t) => headerSafe(t)),
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      messageId: `<${item.idempotencyKey.replace(/[^A-Za-z0-9.:_-]/g, '-')}@vigil>`,
      headers: { 'X-Vigil-Incident': headerSafe(item.incidentId) },
    });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

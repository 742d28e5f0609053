// SMTP email through nodemailer: implicit TLS, STARTTLS, auth. The Message-ID derives from the idempotency
// key, so a resend after a crash is the same message (mail stores and clients collapse it); later revisions
// reply to the first message, so an escalation or resolution lands in the incident's thread.
import { readFileSync } from 'node:fs';
import nodemailer, { type Transporter } from 'nodemailer';
import { z } from 'zod';
import { whenEnabled } from '../../config/fragments.js';
import { componentSchema, defineComponent } from '../../config/component.js';
import type { Channel, OutboxItem } from '../channel.js';
import { firstKey } from '../idempotency.js';
import type { Notification } from '../notification.js';
import { renderEmail } from '../render/email.js';
import { headerSafe } from '../render/text.js';

/** Known providers' SMTP endpoints; explicit keys win over a preset. */
export const SMTP_PRESETS = {
  mailtrap: { host: 'sandbox.smtp.mailtrap.io', port: 2525, secure: false, requireTLS: true },
  gmail: { host: 'smtp.gmail.com', port: 465, secure: true, requireTLS: false },
  m365: { host: 'smtp.office365.com', port: 587, secure: false, requireTLS: true },
} as const;

export const emailSchema = componentSchema({
  host: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  /** true: implicit TLS (port 465). false: plain, upgraded by STARTTLS when the server offers it. */
  secure: z.boolean().optional(),
  /** Refuse to send unless STARTTLS succeeds. */
  requireTLS: z.boolean().optional(),
  user: z.string().default(''),
  pass: z.string().default(''),
  from: z.string().default('Vigil <vigil@localhost>'),
  /** Recipients: an address, or `{ address, timezone }` to show that reader times in their own zone. */
  to: z.array(z.union([z.string(), z.object({ address: z.string(), timezone: z.string().optional() }).strict()])).default([]),
  /** Fills host, port and TLS for a known provider: mailtrap, gmail or m365. Keys set here win. */
  preset: z.enum(['', 'mailtrap', 'gmail', 'm365']).default(''),
  /** Check the server's certificate (turn off only for a lab relay with a self-signed certificate). */
  tlsRejectUnauthorized: z.boolean().default(true),
  /** PEM file of a CA to trust besides the system's (a relay with a private CA). */
  caFile: z.string().default(''),
  /** IANA time zone in which times are shown, e.g. Europe/Berlin. */
  timezone: z.string().default('UTC'),
  /** The right side of every Message-ID (a domain you control). Empty: the domain of `from`. */
  messageIdDomain: z
    .string()
    .regex(/^$|^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/, 'a domain name such as example.org')
    .default(''),
})
  // An enabled channel without recipients would accept every incident and tell nobody: a start-up error.
  .superRefine(whenEnabled('to', 'set at least one recipient in channels.email.to when channels.email.enabled is true', (c) => c.to.length === 0))
  .transform((c) => {
    const preset = c.preset ? SMTP_PRESETS[c.preset] : undefined;
    return {
      ...c,
      host: c.host ?? preset?.host ?? 'localhost',
      port: c.port ?? preset?.port ?? 587,
      secure: c.secure ?? preset?.secure ?? false,
      requireTLS: c.requireTLS ?? preset?.requireTLS ?? false,
    };
  });

export type EmailConfig = z.infer<typeof emailSchema>;

/**
 * `<incident.email.revision[.zone]@domain>` (RFC 5322 msg-id: a dot-atom on both sides): stable for one
 * delivery, whatever the number of attempts, so a resend after a crash is recognised as the same message
 * and every update threads under the first.
 */
export function messageId(key: string, domain: string, zone?: string): string {
  const atom = (s: string) => s.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
  const left = [...key.split(':'), ...(zone ? [zone] : [])].map(atom).join('.');
  return `<${left}@${domain}>`;
}

/** The domain Message-IDs end in: configured, else the from-address's domain, else a reserved one. */
export function messageIdDomainOf(config: Pick<EmailConfig, 'messageIdDomain' | 'from'>): string {
  if (config.messageIdDomain) return config.messageIdDomain.toLowerCase();
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(config.from);
  const domain = m?.[1]?.replace(/^\.+|\.+$/g, '').toLowerCase();
  return domain && /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/.test(domain) ? domain : 'vigil.invalid';
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
      // Pooled: connections stay open between mails, so a message costs one SMTP transaction, not a TCP and
      // TLS handshake and a greeting (which servers may delay on purpose) each time. An idle connection closes
      // after four minutes; one the server drops is opened again on the next mail.
      pool: true,
      maxConnections: 3,
      maxMessages: Infinity,
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

  async send(item: OutboxItem<Notification>): Promise<void> {
    const n = item.payload;
    const groups = recipientsByZone(this.config);
    const revision = n.incident.revision ?? 1;
    // Replies point at revision 1's message, so every update joins the thread the first mail started.
    const rootKey = firstKey(item.idempotencyKey);
    for (const [zone, to] of groups) {
      const suffix = groups.size > 1 ? zone : undefined;
      const domain = messageIdDomainOf(this.config);
      const root = revision > 1 ? messageId(rootKey, domain, suffix) : undefined;
      const mail = renderEmail(n, zone);
      await this.transport.sendMail({
        from: headerSafe(this.config.from),
        to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        messageId: messageId(item.idempotencyKey, domain, suffix),
        ...(root ? { inReplyTo: root, references: [root] } : {}),
        headers: { 'X-Vigil-Incident': headerSafe(item.incidentId) },
      });
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

export const emailChannel = defineComponent({
  name: 'email',
  configSchema: emailSchema,
  create: (config: EmailConfig, _deps: unknown) => new EmailChannel(config),
});

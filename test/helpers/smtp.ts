// A real SMTP server (smtp-server) that keeps every message it receives, parsed by mailparser.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface TestSmtp {
  port: number;
  messages: ParsedMail[];
  /** Per message: whether the session was encrypted, and who authenticated. */
  sessions: { secure: boolean; user?: string }[];
  /** Per message: the id of the SMTP connection that carried it. */
  connections: string[];
  /** Resolves once `n` messages have arrived (or rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

export interface SmtpOptions {
  user?: string;
  pass?: string;
  port?: number;
  /** Key and certificate: with `implicitTls` TLS from the first byte (port 465 style), else offered by STARTTLS. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  implicitTls?: boolean;
}

export async function startSmtp(options: SmtpOptions = {}): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const sessions: TestSmtp['sessions'] = [];
  const connections: string[] = [];
  const waiters: (() => void)[] = [];
  const disabled = [...(options.user ? [] : ['AUTH']), ...(options.tls ? [] : ['STARTTLS'])];
  const server = new SMTPServer({
    secure: !!options.implicitTls,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    disabledCommands: disabled,
    authOptional: !options.user,
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === options.user && auth.password === options.pass) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          sessions.push({ secure: session.secure, user: session.user as string | undefined });
          connections.push(session.id);
          waiters.splice(0).forEach((w) => w());
          cb();
        })
        .catch(cb);
    },
    logger: false,
    // smtp-server resolves every client's address by default: tests send nothing off the machine.
    disableReverseLookup: true,
  });
  // A client that refuses our certificate drops the connection: the server reports it; that is not a test failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    connections,
    sessions,
    async waitFor(n, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (messages.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} messages, got ${messages.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

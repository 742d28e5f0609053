// A tiny HTTP server for fakes of remote APIs: binds 127.0.0.1 on a random port.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServer {
  url: string;
  close(): Promise<void>;
}

export async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<FakeServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((err) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

// ---- Recording fakes: every request kept, routed by a handler, with failures on demand. ----

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
}

export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export type Handler = (req: Recorded) => Reply | Promise<Reply>;

export interface RecordingFake extends FakeServer {
  requests: Recorded[];
  /** Answer the next n requests with this status (default 500) before routing. */
  failNext(n: number, status?: number, body?: string): void;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startFake(route: Handler): Promise<RecordingFake> {
  const requests: Recorded[] = [];
  let failures = 0;
  let failure: Reply = { status: 500, text: 'Internal Server Error' };
  const server = await serve(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readBody(req);
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const rec: Recorded = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, json };
    requests.push(rec);
    let reply: Reply;
    if (failures > 0) {
      failures--;
      reply = failure;
    } else {
      reply = await route(rec);
    }
    if (reply.json !== undefined) return sendJson(res, reply.status, reply.json, reply.headers);
    res.writeHead(reply.status, reply.headers);
    res.end(reply.text ?? '');
  });
  return Object.assign(server, {
    requests,
    failNext(n: number, status = 500, text = 'Internal Server Error') {
      failures = n;
      failure = { status, text };
    },
  });
}

export const notFound: Reply = { status: 404, json: { error: 'not found' } };

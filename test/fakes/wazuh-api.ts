// A fake Wazuh server API (4.x) built from its documented contract (api/api/spec/spec.yaml,
// framework/wazuh/core/results.py): JWT login with Basic auth and `exp` = nbf + auth_token_exp_timeout (900 s),
// 401 bodies, 429 rate limiting (code 6001), GET /agents with paging, PUT /active-response with per-agent
// failures (1701 no such agent, 1707 agent not active, 1652 command not in ar.conf) and the error 0/1/2 envelope.
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface FakeAgent {
  id: string;
  name: string;
  ip?: string;
  status: 'active' | 'pending' | 'never_connected' | 'disconnected';
  os?: Record<string, string>;
  group?: string[];
  version?: string;
}

export interface ActiveResponseCall {
  agents: string[] | 'all';
  body: any;
}

export interface FakeWazuhApi {
  url: string;
  agents: FakeAgent[];
  /** AR commands configured in ar.conf. */
  arCommands: Set<string>;
  /** Every PUT /active-response received. */
  arCalls: ActiveResponseCall[];
  /** How many logins succeeded. */
  logins: number;
  /** Requests seen, as "METHOD path". */
  requests: string[];
  /** The server's clock, in ms; tests move it forward to expire tokens. */
  clock: { now: number };
  /** The next n requests are answered 429. */
  rateLimitNext(n: number, retryAfter?: string): void;
  /** Revokes every token issued so far (as PUT /security/config or logout do). */
  revokeTokens(): void;
  close(): Promise<void>;
}

export interface FakeWazuhOptions {
  user?: string;
  password?: string;
  tokenLifetimeSec?: number;
  tls?: { key: string; cert: string };
}

export async function startFakeWazuhApi(options: FakeWazuhOptions = {}): Promise<FakeWazuhApi> {
  const user = options.user ?? 'wazuh-wui';
  const password = options.password ?? 'wazuh-wui-pass';
  const lifetime = options.tokenLifetimeSec ?? 900;
  let revokedBefore = 0;
  let tokenSerial = 0;
  let limited = 0;
  let limitedRetryAfter: string | undefined;

  const fake: Omit<FakeWazuhApi, 'url' | 'close'> = {
    agents: [],
    arCommands: new Set(['firewall-drop', 'host-deny']),
    arCalls: [],
    logins: 0,
    requests: [],
    clock: { now: Date.now() },
    rateLimitNext(n, retryAfter) {
      limited = n;
      limitedRetryAfter = retryAfter;
    },
    revokeTokens() {
      revokedBefore = tokenSerial + 1;
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const issueToken = () => {
    const nbf = Math.floor(fake.clock.now / 1000);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = { iss: 'wazuh', aud: 'Wazuh API REST', nbf, exp: nbf + lifetime, sub: '1', run_as: false, rbac_roles: [1], rbac_mode: 'white', serial: ++tokenSerial };
    return `${b64({ alg: 'ES512', typ: 'JWT' })}.${b64(claims)}.fake-signature`;
  };

  const tokenValid = (header: string | undefined): boolean => {
    if (!header?.startsWith('Bearer ')) return false;
    try {
      const claims = JSON.parse(Buffer.from(header.slice(7).split('.')[1]!, 'base64url').toString());
      return claims.exp * 1000 > fake.clock.now && claims.serial >= revokedBefore;
    } catch {
      return false;
    }
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    fake.requests.push(`${req.method} ${url.pathname}`);
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (limited > 0) {
      limited--;
      return send(res, 429, { title: 'Too Many Requests', detail: 'Maximum number of requests per minute reached', error: 6001 }, limitedRetryAfter ? { 'retry-after': limitedRetryAfter } : {});
    }
    if (url.pathname === '/security/user/authenticate' && req.method === 'POST') {
      const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString() : '';
      if (basic !== `${user}:${password}`) return send(res, 401, { title: 'Unauthorized', detail: 'Invalid credentials' });
      fake.logins++;
      const token = issueToken();
      if (url.searchParams.get('raw') === 'true') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(token);
      }
      return send(res, 200, { data: { token }, error: 0 });
    }
    if (!req.headers.authorization) return send(res, 401, { title: 'Unauthorized', detail: 'No authorization token provided' });
    if (!tokenValid(req.headers.authorization)) return send(res, 401, { title: 'Unauthorized', detail: 'Invalid token' });

    if (url.pathname === '/agents' && req.method === 'GET') {
      const p = url.searchParams;
      let items = fake.agents.slice();
      const list = p.get('agents_list')?.split(',');
      if (list) items = items.filter((a) => list.includes(a.id));
      if (p.get('status')) items = items.filter((a) => p.get('status')!.split(',').includes(a.status));
      if (p.get('group')) items = items.filter((a) => a.group?.includes(p.get('group')!));
      if (p.get('name')) items = items.filter((a) => a.name === p.get('name'));
      const offset = Number(p.get('offset') ?? 0);
      const limit = Number(p.get('limit') ?? 500);
      if (limit > 100000) return send(res, 400, { title: 'Bad Request', detail: `${limit} is greater than the maximum of 100000 - 'limit'` });
      const page = items.slice(offset, offset + limit);
      return send(res, 200, {
        data: { affected_items: page, total_affected_items: items.length, total_failed_items: 0, failed_items: [] },
        message: 'All selected agents information was returned',
        error: 0,
      });
    }

    if (url.pathname === '/active-response' && req.method === 'PUT') {
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        return send(res, 400, { title: 'Bad Request', detail: 'Invalid JSON body' });
      }
      if (typeof body?.command !== 'string') return send(res, 400, { title: 'Bad Request', detail: "'command' is a required property" });
      const listParam = url.searchParams.get('agents_list');
      const ids = listParam ? listParam.split(',') : fake.agents.map((a) => a.id);
      fake.arCalls.push({ agents: listParam ? ids : 'all', body });
      const affected: string[] = [];
      const failures = new Map<number, { message: string; ids: string[] }>();
      const fail = (code: number, message: string, id: string) => {
        const f = failures.get(code) ?? { message, ids: [] };
        f.ids.push(id);
        failures.set(code, f);
      };
      for (const id of ids) {
        const agent = fake.agents.find((a) => a.id === id);
        if (body.command === '') fail(1650, 'Active response - Command not specified', id);
        else if (!agent) fail(1701, 'Agent does not exist', id);
        else if (agent.status !== 'active') fail(1707, 'Cannot send request, agent is not active', id);
        else if (!body.command.startsWith('!') && !fake.arCommands.has(body.command)) fail(1652, 'The command used is not defined in the configuration.', id);
        else affected.push(id);
      }
      const failed = [...failures].map(([code, f]) => ({ error: { code, message: f.message }, id: f.ids }));
      const error = failed.length === 0 ? 0 : affected.length === 0 ? 1 : 2;
      const message = ['AR command was sent to all agents', 'AR command was not sent to any agent', 'AR command was sent to some agents'][error];
      return send(res, 200, {
        data: { affected_items: affected, total_affected_items: affected.length, total_failed_items: ids.length - affected.length, failed_items: failed },
        message,
        error,
      });
    }
    return send(res, 404, { title: 'Resource Not Found', detail: `${req.method} ${url.pathname} is not a Wazuh API route` });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((err) => send(res, 500, { title: 'Internal Error', detail: String(err) }));
  };
  const server: Server = options.tls ? createHttps({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createHttp(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(fake, {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

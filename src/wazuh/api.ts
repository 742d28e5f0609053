// The Wazuh server API client (4.x, port 55000): JWT login, agent inventory, active response.
// One small surface for the stages that need the manager: enrichment reads agents, response runs commands.
import { systemClock, type Clock } from '../clock.js';
import { readFileSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
import type { WazuhApiConfig } from '../config/schema.js';
import { errorFromBody, readItems, WazuhApiError, type ItemsResult } from './envelope.js';

export { WazuhApiError, type ItemsResult, type FailedItems, type Outcome } from './envelope.js';

export interface WazuhAgent {
  id: string;
  name: string;
  ip?: string;
  registerIP?: string;
  /** active | pending | never_connected | disconnected */
  status: string;
  os?: { name?: string; platform?: string; version?: string; arch?: string };
  groups: string[];
  /** e.g. "Wazuh v4.14.7" */
  version?: string;
  lastKeepAlive?: string;
  node?: string;
}

export interface AgentQuery {
  agents?: string[];
  status?: 'active' | 'pending' | 'never_connected' | 'disconnected';
  group?: string;
  name?: string;
  ip?: string;
  /** Wazuh query language filter, e.g. `os.platform=windows`. */
  q?: string;
}

export interface ActiveResponseRequest {
  /** The AR command name from ossec.conf (`firewall-drop`), or `!script` to run a script by name. */
  command: string;
  /** Agent ids; omitted → every agent. */
  agents?: string[];
  /** Reaches the script as `parameters.extra_args`. */
  arguments?: string[];
  /** Reaches the script as `parameters.alert`; the stock scripts read `alert.data.srcip`. */
  alert?: Record<string, unknown>;
}

/** What the enrichment and response stages use; tests may pass any object of this shape. */
export interface WazuhApiClient {
  listAgents(query?: AgentQuery): Promise<WazuhAgent[]>;
  agentsPage(offset: number, limit: number, query?: AgentQuery): Promise<ItemsResult<WazuhAgent>>;
  runActiveResponse(req: ActiveResponseRequest): Promise<ItemsResult<string>>;
  close(): Promise<void>;
}

export interface WazuhApiOptions {
  url: string;
  user: string;
  password: string;
  caFile?: string;
  verifyTls?: boolean;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
  rateLimitRetries?: number;
  /** First 429 backoff, ms (doubled each time, capped at 30 s); a Retry-After header wins. */
  backoffMs?: number;
  /** Clock and sleep, replaceable in tests. */
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
}

/** The API's default token lifetime (auth_token_exp_timeout). */
const DEFAULT_TOKEN_LIFETIME_MS = 900_000;
/** Renew this long before expiry so a token never dies in flight. */
const RENEW_MARGIN_MS = 60_000;
const PAGE = 500;

export function wazuhApiOptions(c: WazuhApiConfig): WazuhApiOptions {
  return {
    url: c.url,
    user: c.user,
    password: c.password,
    caFile: c.caFile || undefined,
    verifyTls: c.verifyTls,
    timeoutMs: c.timeout,
    rateLimitRetries: c.rateLimitRetries,
  };
}

export class WazuhApi implements WazuhApiClient {
  private readonly base: string;
  private readonly dispatcher: Dispatcher;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private token?: { value: string; renewAt: number };
  private login?: Promise<string>;

  constructor(private readonly options: WazuhApiOptions) {
    if (!options.url) throw new Error('wazuh.api.url is not set');
    this.base = options.url.replace(/\/+$/, '');
    const ca = options.caFile ? readFileSync(options.caFile) : undefined;
    this.dispatcher = new Agent({
      connect: { ca, rejectUnauthorized: options.verifyTls !== false },
      headersTimeout: options.timeoutMs ?? 10_000,
      bodyTimeout: options.timeoutMs ?? 10_000,
    });
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async agentsPage(offset: number, limit: number, query: AgentQuery = {}): Promise<ItemsResult<WazuhAgent>> {
    const params = new URLSearchParams({ offset: String(offset), limit: String(limit), sort: '+id' });
    if (query.agents?.length) params.set('agents_list', query.agents.join(','));
    for (const k of ['status', 'group', 'name', 'ip', 'q'] as const) if (query[k]) params.set(k, query[k]!);
    const body = await this.call('GET', `/agents?${params}`);
    return readItems(body, 200, toAgent);
  }

  /** Every agent matching the query, page by page. */
  async listAgents(query: AgentQuery = {}): Promise<WazuhAgent[]> {
    const out: WazuhAgent[] = [];
    for (let offset = 0; ; ) {
      const page = await this.agentsPage(offset, PAGE, query);
      out.push(...page.affected);
      offset += page.affected.length;
      if (page.affected.length === 0 || offset >= page.totalAffected) return out;
    }
  }

  async runActiveResponse(req: ActiveResponseRequest): Promise<ItemsResult<string>> {
    const qs = req.agents?.length ? `?agents_list=${encodeURIComponent(req.agents.join(','))}` : '';
    const payload: Record<string, unknown> = { command: req.command };
    if (req.arguments) payload.arguments = req.arguments;
    if (req.alert) payload.alert = req.alert;
    const body = await this.call('PUT', `/active-response${qs}`, payload);
    return readItems(body, 200, String);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** One authenticated call: renews the token when it is about to expire or was refused, retries 429s. */
  private async call(method: 'GET' | 'PUT' | 'POST', path: string, json?: unknown): Promise<unknown> {
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.currentToken();
      const res = await this.send(method, path, { authorization: `Bearer ${token}` }, json);
      if (res.status === 401 && !renewed) {
        // Expired early, revoked (PUT /security/config, logout) or the manager restarted: log in again once.
        renewed = true;
        if (this.token?.value === token) this.token = undefined;
        continue;
      }
      if (res.status === 429 && attempt < (this.options.rateLimitRetries ?? 5)) {
        await this.sleep(this.backoff(attempt, res.retryAfter));
        continue;
      }
      if (res.status < 200 || res.status >= 300) throw errorFromBody(res.status, res.body);
      return res.body;
    }
  }

  private backoff(attempt: number, retryAfter: string | undefined): number {
    const seconds = Number(retryAfter);
    if (retryAfter && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    return Math.min(30_000, (this.options.backoffMs ?? 1000) * 2 ** attempt);
  }

  private async currentToken(): Promise<string> {
    if (this.token && this.clock() < this.token.renewAt) return this.token.value;
    // Concurrent callers share one login.
    this.login ??= this.authenticate().finally(() => (this.login = undefined));
    return this.login;
  }

  private async authenticate(): Promise<string> {
    const basic = Buffer.from(`${this.options.user}:${this.options.password}`).toString('base64');
    for (let attempt = 0; ; attempt++) {
      const res = await this.send('POST', '/security/user/authenticate', { authorization: `Basic ${basic}` });
      if (res.status === 429 && attempt < (this.options.rateLimitRetries ?? 5)) {
        await this.sleep(this.backoff(attempt, res.retryAfter));
        continue;
      }
      if (res.status !== 200) throw errorFromBody(res.status, res.body);
      const value = (res.body as { data?: { token?: unknown } })?.data?.token;
      if (typeof value !== 'string' || value === '') throw new WazuhApiError(res.status, 'Unexpected answer', 'no token in the authentication answer');
      const issued = this.clock();
      const lifetime = tokenLifetimeMs(value) ?? DEFAULT_TOKEN_LIFETIME_MS;
      this.token = { value, renewAt: issued + Math.max(lifetime - RENEW_MARGIN_MS, lifetime / 2) };
      return value;
    }
  }

  private async send(
    method: string,
    path: string,
    headers: Record<string, string>,
    json?: unknown,
  ): Promise<{ status: number; body: unknown; retryAfter?: string }> {
    const res = await request(this.base + path, {
      method: method as Dispatcher.HttpMethod,
      dispatcher: this.dispatcher,
      headers: { accept: 'application/json', ...headers, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: json !== undefined ? JSON.stringify(json) : undefined,
    });
    const text = await res.body.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a proxy's HTML page): keep the text for the error message.
    }
    const ra = res.headers['retry-after'];
    return { status: res.statusCode, body, retryAfter: Array.isArray(ra) ? ra[0] : ra };
  }
}

/** The token's lifetime from its `exp` and `iat` claims (the JWT payload is readable without the key). */
export function tokenLifetimeMs(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown; iat?: unknown; nbf?: unknown };
    const exp = Number(claims.exp);
    const start = Number(claims.iat ?? claims.nbf);
    if (Number.isFinite(exp) && Number.isFinite(start) && exp > start) return (exp - start) * 1000;
  } catch {
    // An opaque token: fall back to the default lifetime.
  }
  return undefined;
}

function toAgent(raw: unknown): WazuhAgent {
  const a = (raw ?? {}) as Record<string, any>;
  return {
    id: String(a.id ?? ''),
    name: String(a.name ?? ''),
    ip: typeof a.ip === 'string' ? a.ip : undefined,
    registerIP: typeof a.registerIP === 'string' ? a.registerIP : undefined,
    status: String(a.status ?? 'unknown'),
    os: a.os && typeof a.os === 'object' ? { name: a.os.name, platform: a.os.platform, version: a.os.version, arch: a.os.arch } : undefined,
    groups: Array.isArray(a.group) ? a.group.map(String) : [],
    version: typeof a.version === 'string' ? a.version : undefined,
    lastKeepAlive: typeof a.lastKeepAlive === 'string' ? a.lastKeepAlive : undefined,
    node: typeof a.node_name === 'string' ? a.node_name : undefined,
  };
}

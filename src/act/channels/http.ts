// JSON over HTTP for the channels that speak it. A non-2xx answer throws: 4xx other than 408/409/429 are
// permanent (retrying the same request cannot help), the rest are retried by the outbox.
import { VigilError } from '../../errors.js';
import { request } from 'undici';
import { PermanentError } from '../channel.js';

export interface HttpResult {
  status: number;
  json: any;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

export class HttpError extends VigilError {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super('http', `${what}: HTTP ${status}${body ? ` ${body.slice(0, 300)}` : ''}`);
  }
}

export class PermanentHttpError extends PermanentError {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status}${body ? ` ${body.slice(0, 300)}` : ''}`);
  }
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH';
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  /** Answers that are not errors here (e.g. 404 on a lookup). */
  accept?: number[];
  timeoutMs?: number;
}

export async function call(url: string, what: string, o: CallOptions = {}): Promise<HttpResult> {
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const res = await request(url, {
    method: o.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
    body,
    headersTimeout: o.timeoutMs ?? 15_000,
    bodyTimeout: o.timeoutMs ?? 15_000,
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const ok = (res.statusCode >= 200 && res.statusCode < 300) || o.accept?.includes(res.statusCode);
  if (!ok) {
    const permanent = res.statusCode >= 400 && res.statusCode < 500 && ![408, 409, 429].includes(res.statusCode);
    throw permanent ? new PermanentHttpError(res.statusCode, text, what) : new HttpError(res.statusCode, text, what);
  }
  return { status: res.statusCode, json, text, headers: res.headers as HttpResult['headers'] };
}

export function basicAuth(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

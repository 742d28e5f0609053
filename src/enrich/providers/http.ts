// GET a JSON document from a provider's API and map its refusals to ProviderError kinds, so every provider
// reports 401, 429 and 5xx the same way. A 404 is an answer ("no record"), returned to the caller.
import { request } from 'undici';
import { ProviderError } from '../provider.js';

export interface JsonResponse {
  status: number;
  body: any;
}

export async function getJson(url: string, headers: Record<string, string>, signal: AbortSignal, label: string): Promise<JsonResponse> {
  let res;
  try {
    res = await request(url, { method: 'GET', headers: { accept: 'application/json', ...headers }, signal });
  } catch (err) {
    if (signal.aborted) throw new ProviderError(`${label}: no answer in time`, 'timeout');
    throw new ProviderError(`${label}: ${(err as Error).message}`, 'failed');
  }
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    if (signal.aborted) throw new ProviderError(`${label}: no answer in time`, 'timeout');
    throw new ProviderError(`${label}: ${(err as Error).message}`, 'failed');
  }
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const status = res.statusCode;
  if (status === 200 || status === 404) return { status, body };
  const detail = errorDetail(body) ?? `HTTP ${status}`;
  if (status === 429 || /quota/i.test(detail)) {
    throw new ProviderError(`${label}: quota or rate limit reached (${detail})`, 'quota', retryAfter(res.headers['retry-after']));
  }
  if (status === 401 || status === 403) throw new ProviderError(`${label}: the API key was refused (${detail})`, 'auth');
  throw new ProviderError(`${label}: ${detail}`, 'failed');
}

/** VirusTotal: `{error: {code, message}}`; AbuseIPDB: `{errors: [{detail, status}]}`. */
function errorDetail(body: any): string | undefined {
  if (body?.error?.code || body?.error?.message) return [body.error.code, body.error.message].filter(Boolean).join(': ');
  const first = Array.isArray(body?.errors) ? body.errors[0] : undefined;
  if (first?.detail) return String(first.detail);
  return undefined;
}

function retryAfter(header: string | string[] | undefined): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(v);
  // The one reading of the wall clock outside src/clock.ts: an HTTP date is the remote server's wall clock, so
  // it is compared with the real one, whatever clock the rest of Vigil is given (a simulated one in tests).
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

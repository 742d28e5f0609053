// The Wazuh server API's answer shapes (api/api/spec/spec.yaml, framework/wazuh/core/results.py), read into
// typed results. A 200 answer may still carry failures: `error` 0 = complete, 1 = all failed, 2 = partial.
import { VigilError } from '../errors.js';

/** One group of items that failed for the same reason, e.g. code 1701 "Agent does not exist" for ["003"]. */
export interface FailedItems {
  code: number;
  message: string;
  remediation?: string;
  ids: string[];
}

export type Outcome = 'complete' | 'failed' | 'partial';

export interface ItemsResult<T> {
  outcome: Outcome;
  /** The items the call did something with (agents listed, agents the command was sent to, …). */
  affected: T[];
  /** For listings: how many items match in all, across pages. */
  totalAffected: number;
  totalFailed: number;
  failed: FailedItems[];
  message: string;
}

/** A non-2xx answer, or a 2xx answer that is not an envelope. `code` is Wazuh's own error number when given. */
/** An error answer of the Wazuh API; its `code` is the Wazuh error code (e.g. 6001), when it sent one. */
export class WazuhApiError extends VigilError<number | undefined> {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    code?: number,
    readonly remediation?: string,
  ) {
    super(code, `Wazuh API ${status} ${title}${detail ? `: ${detail}` : ''}${code !== undefined ? ` (code ${code})` : ''}`);
  }
}

const OUTCOMES: Record<number, Outcome> = { 0: 'complete', 1: 'failed', 2: 'partial' };

export function readItems<T>(body: unknown, status: number, mapItem: (raw: unknown) => T): ItemsResult<T> {
  const env = body as { data?: Record<string, unknown>; message?: unknown; error?: unknown } | null;
  const data = env?.data;
  if (!data || typeof data !== 'object' || !Array.isArray(data.affected_items)) {
    throw new WazuhApiError(status, 'Unexpected answer', 'the body is not a Wazuh result envelope (data.affected_items missing)');
  }
  const outcome = OUTCOMES[Number(env.error ?? 0)] ?? 'failed';
  const failed = Array.isArray(data.failed_items) ? data.failed_items.map(readFailed) : [];
  return {
    outcome,
    affected: data.affected_items.map(mapItem),
    totalAffected: Number(data.total_affected_items ?? data.affected_items.length),
    totalFailed: Number(data.total_failed_items ?? failed.reduce((n, f) => n + f.ids.length, 0)),
    failed,
    message: typeof env.message === 'string' ? env.message : '',
  };
}

function readFailed(raw: unknown): FailedItems {
  const f = raw as { error?: { code?: unknown; message?: unknown; remediation?: unknown }; id?: unknown };
  return {
    code: Number(f.error?.code ?? 0),
    message: String(f.error?.message ?? ''),
    remediation: typeof f.error?.remediation === 'string' ? f.error.remediation : undefined,
    ids: Array.isArray(f.id) ? f.id.map(String) : f.id !== undefined ? [String(f.id)] : [],
  };
}

/** Reads RequestError / ApiError bodies: `{title, detail, remediation?, error?|code?}`. */
export function errorFromBody(status: number, body: unknown): WazuhApiError {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const code = b.error ?? b.code;
  return new WazuhApiError(
    status,
    typeof b.title === 'string' ? b.title : `HTTP ${status}`,
    typeof b.detail === 'string' ? b.detail : typeof body === 'string' ? body.slice(0, 200) : '',
    typeof code === 'number' ? code : undefined,
    typeof b.remediation === 'string' ? b.remediation : undefined,
  );
}

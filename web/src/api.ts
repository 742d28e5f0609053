// The dashboard's only way to the server: same-origin fetches with the session cookie, and the session's
// CSRF token on every write.
export interface Me {
  name: string;
  role: 'viewer' | 'analyst' | 'admin';
  kind: string;
  csrfToken?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let me: Me | null = null;
export const currentUser = () => me;
export const setUser = (u: Me | null) => {
  me = u;
};

export const canAct = () => me !== null && me.role !== 'viewer';

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    if (me?.csrfToken) headers['x-csrf-token'] = me.csrfToken;
  }
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401 && path !== '/auth/login') {
      me = null;
      location.hash = '#/login';
    }
    throw new ApiError(res.status, (data as { message?: string }).message ?? res.statusText);
  }
  return data as T;
}

export async function loadUser(): Promise<Me | null> {
  try {
    me = await api<Me>('GET', '/auth/me');
  } catch {
    me = null;
  }
  return me;
}

// A fake TheHive 5 alert API: Bearer API key, POST /api/v1/alert (type, source, sourceRef, title,
// description required; (type, source, sourceRef) unique → 400 CreateError "already exists"; observables
// repeating a dataType+data → 400, as TheHive rejects them), PATCH /api/v1/alert/{id} (204), and
// POST /api/v1/query with listAlert + filter (_and of _eq on fields) + page.
import { startFake, type RecordingFake, type Recorded, type Reply } from './http.js';

export interface HiveAlert {
  _id: string;
  type: string;
  source: string;
  sourceRef: string;
  title: string;
  description: string;
  severity: number;
  tags: string[];
  observables: { dataType: string; data: string }[];
  updates: number;
}

export interface FakeTheHive extends RecordingFake {
  alerts: HiveAlert[];
  apiKey: string;
}

function matches(a: HiveAlert, filter: any): boolean {
  if (!filter) return true;
  if (filter._and) return filter._and.every((f: any) => matches(a, f));
  if (filter._eq) return (a as any)[filter._eq._field] === filter._eq._value;
  return false;
}

export async function startTheHive(): Promise<FakeTheHive> {
  const alerts: HiveAlert[] = [];
  const apiKey = 'hive-api-key';
  const route = (req: Recorded): Reply => {
    if (req.headers.authorization !== `Bearer ${apiKey}`) return { status: 401, json: { type: 'AuthenticationError', message: 'Authentication failure' } };
    if (req.method === 'POST' && req.path === '/api/v1/alert') {
      const b = req.json ?? {};
      for (const k of ['type', 'source', 'sourceRef', 'title', 'description']) {
        if (!b[k]) return { status: 400, json: { type: 'AttributeCheckingError', message: `${k} is missing` } };
      }
      if (alerts.some((a) => a.type === b.type && a.source === b.source && a.sourceRef === b.sourceRef)) {
        return { status: 400, json: { type: 'CreateError', message: `Alert ${b.type}:${b.source}:${b.sourceRef} already exists` } };
      }
      const seen = new Set<string>();
      for (const o of b.observables ?? []) {
        const k = `${o.dataType}\u0000${o.data}`;
        if (seen.has(k)) return { status: 400, json: { type: 'CreateError', message: `Observable ${o.dataType}:${o.data} already exists` } };
        seen.add(k);
      }
      const alert: HiveAlert = { _id: `~${4096 + alerts.length}`, type: b.type, source: b.source, sourceRef: b.sourceRef, title: b.title, description: b.description, severity: b.severity ?? 2, tags: b.tags ?? [], observables: b.observables ?? [], updates: 0 };
      alerts.push(alert);
      return { status: 201, json: { ...alert, _type: 'Alert' } };
    }
    const m = /^\/api\/v1\/alert\/([^/]+)$/.exec(req.path);
    if (m && req.method === 'PATCH') {
      const a = alerts.find((x) => x._id === decodeURIComponent(m[1]!));
      if (!a) return { status: 404, json: { type: 'NotFoundError', message: 'Alert not found' } };
      Object.assign(a, req.json ?? {});
      a.updates++;
      return { status: 204 };
    }
    if (req.method === 'POST' && req.path === '/api/v1/query') {
      const q: any[] = req.json?.query ?? [];
      if (q[0]?._name !== 'listAlert') return { status: 400, json: { type: 'BadRequest', message: 'unsupported query' } };
      let out = alerts.filter((a) => matches(a, q.find((s) => s._name === 'filter')));
      const page = q.find((s) => s._name === 'page');
      if (page) out = out.slice(page.from, page.to);
      return { status: 200, json: out.map((a) => ({ ...a, _type: 'Alert' })) };
    }
    return { status: 404, json: { type: 'NotFoundError', message: 'not found' } };
  };
  const fake = await startFake(route);
  return Object.assign(fake, { alerts, apiKey });
}

// A fake ServiceNow Table API: Basic auth, POST /api/now/table/{table} → 201 {result:{sys_id,number,…}},
// GET /api/now/table/{table}?sysparm_query=field=value[^field=value]&sysparm_limit → {result:[…]},
// PATCH /api/now/table/{table}/{sys_id} → 200 {result}; work_notes appends to the journal instead of
// replacing, as in the platform.
import { randomUUID } from 'node:crypto';
import { startFake, type RecordingFake, type Recorded, type Reply } from './http.js';

export interface SnowRecord {
  sys_id: string;
  number: string;
  fields: Record<string, string>;
  work_notes: string[];
}

export interface FakeServiceNow extends RecordingFake {
  records: SnowRecord[];
  user: string;
  password: string;
}

export async function startServiceNow(): Promise<FakeServiceNow> {
  const records: SnowRecord[] = [];
  const user = 'vigil.integration';
  const password = 'snow-pass';
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const view = (r: SnowRecord) => ({ sys_id: r.sys_id, number: r.number, ...r.fields });
  const route = (req: Recorded): Reply => {
    if (req.headers.authorization !== auth) return { status: 401, json: { error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' }, status: 'failure' } };
    const m = /^\/api\/now\/table\/incident(?:\/([0-9a-f]+))?$/.exec(req.path);
    if (!m) return { status: 400, json: { error: { message: 'Invalid table', detail: null }, status: 'failure' } };
    if (req.method === 'POST' && !m[1]) {
      const { work_notes, ...fields } = req.json ?? {};
      const r: SnowRecord = { sys_id: randomUUID().replace(/-/g, ''), number: `INC${String(10001 + records.length).padStart(7, '0')}`, fields: { state: '1', ...fields }, work_notes: work_notes ? [work_notes] : [] };
      records.push(r);
      return { status: 201, json: { result: view(r) } };
    }
    if (req.method === 'GET' && !m[1]) {
      const clauses = (req.query.get('sysparm_query') ?? '').split('^').filter(Boolean).map((c) => c.split('='));
      const hits = records.filter((r) => clauses.every(([k, v]) => view(r)[k as keyof ReturnType<typeof view>] === v));
      return { status: 200, json: { result: hits.slice(0, Number(req.query.get('sysparm_limit') ?? 10000)).map(view) } };
    }
    const r = records.find((x) => x.sys_id === m[1]);
    if (!r) return { status: 404, json: { error: { message: 'No Record found', detail: 'Record doesn\'t exist or ACL restricts the record retrieval' }, status: 'failure' } };
    if (req.method === 'PATCH' || req.method === 'PUT') {
      const { work_notes, ...fields } = req.json ?? {};
      if (work_notes) r.work_notes.push(work_notes);
      Object.assign(r.fields, fields);
      return { status: 200, json: { result: view(r) } };
    }
    return { status: 405, json: { error: { message: 'Method not Supported' } } };
  };
  const fake = await startFake(route);
  return Object.assign(fake, { records, user, password });
}

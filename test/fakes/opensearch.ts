// A fake OpenSearch `_search`, as the Wazuh indexer answers it, built from the documented contract: index
// patterns in the path (`wazuh-alerts-4.x-*`, comma lists), HTTP Basic auth (401 security_exception), a bool
// filter of `range` clauses (gte/gt/lte/lt, `format: epoch_millis` or dates), sort on a date field then `_id`,
// `size`, `search_after`, and hits carrying their `sort` values (a date sorts as epoch milliseconds); and
// `GET /_resolve/index/<patterns>` (the indices the patterns name), which Vigil asks to tell Wazuh 4 from 5.
// Documents become searchable only after refresh(), as with the index's refresh interval.
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';

interface Doc {
  index: string;
  id: string;
  source: Record<string, any>;
  visible: boolean;
}

export interface FakeOpenSearch {
  url: string;
  /** Request bodies of every _search. */
  searches: any[];
  /** Indexes a document; searchable after refresh() unless `visible`. */
  add(index: string, id: string, source: Record<string, unknown>, visible?: boolean): void;
  refresh(): void;
  close(): Promise<void>;
}

const parseDate = (v: unknown): number => {
  if (typeof v === 'number') return v;
  const text = String(v).replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(text);
};

const get = (o: Record<string, any>, path: string): unknown => path.split('.').reduce<any>((x, k) => (x == null ? undefined : x[k]), o);

export async function startFakeOpenSearch(options: { user?: string; password?: string; tls?: { key: string; cert: string } } = {}): Promise<FakeOpenSearch> {
  const docs: Doc[] = [];
  const searches: any[] = [];
  const auth = 'Basic ' + Buffer.from(`${options.user ?? 'admin'}:${options.password ?? 'admin'}`).toString('base64');
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const c of req) raw += c;
    if (req.headers.authorization !== auth) {
      return send(res, 401, { error: { root_cause: [{ type: 'security_exception', reason: 'Unauthorized' }], type: 'security_exception', reason: 'Unauthorized' }, status: 401 });
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const toRegex = (p: string) => new RegExp('^' + p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$');
    // GET /_resolve/index/<patterns>: the indices (and data streams) the patterns name; none is not an error.
    const resolve = /^\/_resolve\/index\/([^/]+)$/.exec(path);
    if (resolve && req.method === 'GET') {
      const ps = decodeURIComponent(resolve[1]!).split(',').map(toRegex);
      const names = [...new Set(docs.map((d) => d.index))].filter((n) => ps.some((p) => p.test(n))).sort();
      return send(res, 200, { indices: names.map((name) => ({ name, attributes: ['open'] })), aliases: [], data_streams: [] });
    }
    const m = /^\/([^/]+)\/_search$/.exec(path);
    if (!m || req.method !== 'POST') return send(res, 404, { error: 'no handler found', status: 404 });
    const body = JSON.parse(raw || '{}');
    searches.push(body);
    const patterns = decodeURIComponent(m[1]!).split(',').map((p) => new RegExp('^' + p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$'));
    let hits = docs.filter((d) => d.visible && patterns.some((p) => p.test(d.index)));
    for (const clause of body.query?.bool?.filter ?? []) {
      const [field, cond] = Object.entries(clause.range ?? {})[0] as [string, any];
      const isDate = field === 'timestamp' || field === '@timestamp';
      const val = (d: Doc) => (isDate ? parseDate(get(d.source, field)) : Number(get(d.source, field)));
      const lim = (x: unknown) => (isDate ? parseDate(x) : Number(x));
      hits = hits.filter((d) => {
        const v = val(d);
        return (cond.gte === undefined || v >= lim(cond.gte)) && (cond.gt === undefined || v > lim(cond.gt)) && (cond.lte === undefined || v <= lim(cond.lte)) && (cond.lt === undefined || v < lim(cond.lt));
      });
    }
    const sortFields: string[] = (body.sort ?? []).map((s: Record<string, unknown>) => Object.keys(s)[0]);
    const sortValues = (d: Doc) => sortFields.map((f) => (f === '_id' ? d.id : f === 'timestamp' || f === '@timestamp' ? parseDate(get(d.source, f)) : get(d.source, f)));
    const cmp = (a: unknown[], b: unknown[]) => {
      for (let i = 0; i < a.length; i++) {
        if (a[i]! < b[i]!) return -1;
        if (a[i]! > b[i]!) return 1;
      }
      return 0;
    };
    let sorted = hits.map((d) => ({ d, sort: sortValues(d) })).sort((x, y) => cmp(x.sort, y.sort));
    if (body.search_after) sorted = sorted.filter((h) => cmp(h.sort, body.search_after) > 0);
    const page = sorted.slice(0, body.size ?? 10);
    return send(res, 200, {
      took: 1,
      timed_out: false,
      _shards: { total: 3, successful: 3, skipped: 0, failed: 0 },
      hits: {
        max_score: null,
        hits: page.map((h) => ({ _index: h.d.index, _id: h.d.id, _score: null, _source: h.d.source, sort: h.sort })),
      },
    });
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((err) => send(res, 500, { error: { type: 'exception', reason: String(err) }, status: 500 }));
  };
  const server = options.tls ? createHttps(options.tls, onRequest) : createHttp(onRequest);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    searches,
    add(index, id, source, visible = false) {
      docs.push({ index, id, source: source as Record<string, any>, visible });
    },
    refresh() {
      for (const d of docs) d.visible = true;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

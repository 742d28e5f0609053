// A fake Wazuh 5 indexer (OpenSearch 3 with Wazuh's data streams), built from the documented contracts
// (shared/reference/wazuh5.md §2, §6; OpenSearch's Point in Time, Search and Resolve Index APIs):
// - data streams `wazuh-findings-v5-<category>` with backing indices `.ds-…-000001`; documents become
//   searchable at refresh() (the findings template refreshes every few seconds);
// - `GET /_resolve/index/<patterns>` names the data streams; HTTP Basic auth (401 security_exception);
// - `POST /<patterns>/_search/point_in_time?keep_alive=` → `pit_id`; `POST /_search` with `pit` (no index in
//   the path): a range filter on @timestamp, `terms` filters, sort on @timestamp then _id, `size`,
//   `search_after`, the answer carrying `pit_id`; the PIT sees the documents searchable when it was opened;
//   `DELETE /_search/point_in_time` `{pit_id: [...]}`; an unknown or deleted PIT is a 404;
// - `PUT /wazuh-active-responses/_create/<id>`: a data stream takes op_type create only; 201, or 409
//   version_conflict_engine_exception for an id it holds; the template is `dynamic: strict` (only
//   @timestamp, event.*, wazuh.* at the top: anything else is a 400 strict_dynamic_mapping_exception).
import { createServer as createHttps } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Doc {
  index: string;
  id: string;
  source: Record<string, any>;
  visible: boolean;
}

export interface FakeWazuh5Indexer {
  url: string;
  /** Every request: method, path and parsed body. */
  requests: { method: string; path: string; body: any }[];
  /** Indexes a finding into `wazuh-findings-v5-<category>`; searchable after refresh() unless `visible`. */
  addFinding(category: string, id: string, source: Record<string, unknown>, visible?: boolean): void;
  addDoc(index: string, id: string, source: Record<string, unknown>, visible?: boolean): void;
  refresh(): void;
  /** Documents written to wazuh-active-responses, in order. */
  activeResponses: { id: string; source: Record<string, any> }[];
  /** PITs open now. */
  openPits(): number;
  /** Index the next active-response document, then drop the connection before answering (a lost answer). */
  loseNextCreateAnswer(): void;
  /** Make the next N requests to a path matching this fail with 503 (an indexer restarting). */
  failNext(path: RegExp, n?: number): void;
  close(): Promise<void>;
}

const get = (o: Record<string, any>, path: string): unknown => path.split('.').reduce<any>((x, k) => (x == null ? undefined : x[k]), o);
const toRegex = (p: string) => new RegExp('^' + p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$');
/** A pattern matches a data stream by name, and its backing indices. */
const streamOf = (index: string) => index.replace(/^\.ds-/, '').replace(/-\d{6}$/, '');

export async function startFakeWazuh5Indexer(options: { user?: string; password?: string; tls: { key: string; cert: string } }): Promise<FakeWazuh5Indexer> {
  const docs: Doc[] = [];
  const requests: FakeWazuh5Indexer['requests'] = [];
  const pits = new Map<string, { patterns: RegExp[]; snapshot: Doc[] }>();
  const activeResponses: FakeWazuh5Indexer['activeResponses'] = [];
  const failures: { path: RegExp; n: number }[] = [];
  let pitCounter = 0;
  let loseAnswer = false;
  const auth = 'Basic ' + Buffer.from(`${options.user ?? 'admin'}:${options.password ?? 'admin'}`).toString('base64');
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, type: string, reason: string) => send(res, status, { error: { root_cause: [{ type, reason }], type, reason }, status });

  function search(body: any, pool: Doc[]) {
    let hits = pool;
    for (const clause of body.query?.bool?.filter ?? []) {
      if (clause.range) {
        const [field, cond] = Object.entries(clause.range)[0] as [string, any];
        hits = hits.filter((d) => {
          const v = Date.parse(String(get(d.source, field)));
          return (cond.gte === undefined || v >= Number(cond.gte)) && (cond.gt === undefined || v > Number(cond.gt)) && (cond.lte === undefined || v <= Number(cond.lte));
        });
      } else if (clause.terms) {
        const [field, values] = Object.entries(clause.terms)[0] as [string, unknown[]];
        hits = hits.filter((d) => values.includes(get(d.source, field)));
      }
    }
    const sortOf = (d: Doc): [number, string] => [Date.parse(String(d.source['@timestamp'])), d.id];
    const cmp = (a: [number, string], b: [number, string]) => (a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    let sorted = hits.map((d) => ({ d, sort: sortOf(d) })).sort((x, y) => cmp(x.sort, y.sort));
    if (body.search_after) sorted = sorted.filter((h) => cmp(h.sort, body.search_after) > 0);
    return sorted.slice(0, body.size ?? 10).map((h) => ({ _index: h.d.index, _id: h.d.id, _score: null, _source: h.d.source, sort: h.sort }));
  }

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const c of req) raw += c;
    const url = new URL(req.url ?? '/', 'https://x');
    const path = decodeURIComponent(url.pathname);
    const body = raw ? JSON.parse(raw) : undefined;
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, body });
    if (req.headers.authorization !== auth) return error(res, 401, 'security_exception', 'Unauthorized');
    const failing = failures.find((f) => f.n > 0 && f.path.test(path));
    if (failing) {
      failing.n--;
      return error(res, 503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized]');
    }
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = /^\/_resolve\/index\/(.+)$/.exec(path))) {
      const ps = m[1]!.split(',').map(toRegex);
      const indices = [...new Set(docs.map((d) => d.index))].filter((i) => ps.some((p) => p.test(i) || p.test(streamOf(i))));
      const streams = [...new Set(indices.map(streamOf))];
      return send(res, 200, {
        indices: indices.map((name) => ({ name, attributes: ['hidden', 'open'], data_stream: streamOf(name) })),
        aliases: [],
        data_streams: streams.map((name) => ({ name, backing_indices: indices.filter((i) => streamOf(i) === name), timestamp_field: '@timestamp' })),
      });
    }
    if (req.method === 'POST' && (m = /^\/(.+)\/_search\/point_in_time$/.exec(path))) {
      if (!url.searchParams.get('keep_alive')) return error(res, 400, 'action_request_validation_exception', 'Validation Failed: 1: keep alive not specified;');
      const patterns = m[1]!.split(',').map(toRegex);
      const id = Buffer.from(`pit-${++pitCounter}`).toString('base64');
      pits.set(id, { patterns, snapshot: docs.filter((d) => d.visible && patterns.some((p) => p.test(streamOf(d.index)) || p.test(d.index))).map((d) => ({ ...d })) });
      return send(res, 200, { pit_id: id, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, creation_time: Date.now() });
    }
    if (req.method === 'POST' && path === '/_search') {
      const pit = body?.pit?.id && pits.get(body.pit.id);
      if (!pit) return error(res, 404, 'search_context_missing_exception', 'No search context found for id');
      return send(res, 200, { pit_id: body.pit.id, took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { max_score: null, hits: search(body, pit.snapshot) } });
    }
    if (req.method === 'DELETE' && path === '/_search/point_in_time') {
      const ids: string[] = Array.isArray(body?.pit_id) ? body.pit_id : [body?.pit_id];
      return send(res, 200, { pits: ids.map((id) => ({ successful: pits.delete(id), pit_id: id })) });
    }
    if (req.method === 'PUT' && (m = /^\/wazuh-active-responses\/_create\/(.+)$/.exec(path))) {
      const extra = Object.keys(body ?? {}).filter((k) => !['@timestamp', 'event', 'wazuh'].includes(k));
      if (extra.length > 0) return error(res, 400, 'strict_dynamic_mapping_exception', `mapping set to strict, dynamic introduction of [${extra[0]}] within [_doc] is not allowed`);
      if (activeResponses.some((d) => d.id === m![1])) return error(res, 409, 'version_conflict_engine_exception', `[${m[1]}]: version conflict, document already exists (current version [1])`);
      activeResponses.push({ id: m[1]!, source: body });
      if (loseAnswer) {
        loseAnswer = false;
        return res.socket?.destroy();
      }
      return send(res, 201, { _index: '.ds-wazuh-active-responses-000001', _id: m[1], _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: activeResponses.length - 1, _primary_term: 1 });
    }
    return error(res, 404, 'no_handler_found', `no handler found for uri [${path}] and method [${req.method}]`);
  };
  const server = createHttps(options.tls, (req, res) => {
    handler(req, res).catch((err) => error(res, 500, 'exception', String(err)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    activeResponses,
    addFinding(category, id, source, visible = false) {
      docs.push({ index: `.ds-wazuh-findings-v5-${category}-000001`, id, source: source as Record<string, any>, visible });
    },
    addDoc(index, id, source, visible = false) {
      docs.push({ index, id, source: source as Record<string, any>, visible });
    },
    refresh() {
      for (const d of docs) d.visible = true;
    },
    openPits: () => pits.size,
    loseNextCreateAnswer() {
      loseAnswer = true;
    },
    failNext(path, n = 1) {
      failures.push({ path, n });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

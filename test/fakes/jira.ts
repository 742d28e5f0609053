// A fake Jira Cloud REST v3: Basic auth (email:API token, 401 otherwise), POST /rest/api/3/issue (ADF
// description required to be a doc; 201 {id,key,self}), POST /rest/api/3/search/jql ({jql,fields,maxResults}
// → {issues:[{id,key}]}; this fake understands `labels = "x"` clauses only), GET/POST
// /rest/api/3/issue/{key}/comment (ADF body), GET/POST /rest/api/3/issue/{key}/transitions.
import { startFake, type RecordingFake, type Recorded, type Reply } from './http.js';

export interface JiraIssue {
  id: string;
  key: string;
  fields: any;
  comments: { id: string; body: any }[];
  status: string;
}

export interface FakeJira extends RecordingFake {
  issues: JiraIssue[];
  user: string;
  token: string;
}

const isDoc = (d: any) => d && d.type === 'doc' && d.version === 1 && Array.isArray(d.content);

export async function startJira(project = 'SEC'): Promise<FakeJira> {
  const issues: JiraIssue[] = [];
  const user = 'soc@example.org';
  const token = 'jira-api-token';
  const auth = `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
  const find = (key: string) => issues.find((i) => i.key === key || i.id === key);
  const route = (req: Recorded): Reply => {
    if (req.headers.authorization !== auth) return { status: 401, json: { errorMessages: ['You are not authenticated.'] } };
    if (req.method === 'POST' && req.path === '/rest/api/3/issue') {
      const f = req.json?.fields ?? {};
      const errors: Record<string, string> = {};
      if (f.project?.key !== project) errors.project = 'valid project is required';
      if (!f.summary || f.summary.length > 255 || /[\r\n]/.test(f.summary)) errors.summary = 'Summary must be less than 255 characters on one line.';
      if (!f.issuetype?.name) errors.issuetype = 'valid issue type is required';
      if (f.description !== undefined && !isDoc(f.description)) errors.description = 'Operation value must be an Atlassian Document.';
      if ((f.labels ?? []).some((l: string) => /\s/.test(l))) errors.labels = 'The label cannot contain spaces.';
      if (Object.keys(errors).length > 0) return { status: 400, json: { errorMessages: [], errors } };
      const n = issues.length + 1;
      const issue = { id: String(10000 + n), key: `${project}-${n}`, fields: f, comments: [], status: 'To Do' };
      issues.push(issue);
      return { status: 201, json: { id: issue.id, key: issue.key, self: `/rest/api/3/issue/${issue.id}` } };
    }
    if (req.method === 'POST' && req.path === '/rest/api/3/search/jql') {
      const labels = [...String(req.json?.jql ?? '').matchAll(/labels\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
      const hits = issues.filter((i) => labels.every((l) => (i.fields.labels ?? []).includes(l)));
      return { status: 200, json: { issues: hits.slice(0, req.json?.maxResults ?? 50).map((i) => ({ id: i.id, key: i.key })) } };
    }
    const single = /^\/rest\/api\/3\/issue\/([^/]+)$/.exec(req.path);
    if (single && req.method === 'GET') {
      const i = find(decodeURIComponent(single[1]!));
      if (!i) return { status: 404, json: { errorMessages: ['Issue does not exist or you do not have permission to see it.'] } };
      const wanted = (req.query.get('fields') ?? '').split(',').filter(Boolean);
      const fields = wanted.length ? Object.fromEntries(wanted.map((f) => [f, i.fields[f] ?? null])) : i.fields;
      return { status: 200, json: { id: i.id, key: i.key, fields } };
    }
    const m = /^\/rest\/api\/3\/issue\/([^/]+)\/(comment|transitions)$/.exec(req.path);
    const issue = m ? find(decodeURIComponent(m[1]!)) : undefined;
    if (m && !issue) return { status: 404, json: { errorMessages: ['Issue does not exist or you do not have permission to see it.'] } };
    if (m && issue && m[2] === 'comment') {
      if (req.method === 'GET') return { status: 200, json: { startAt: 0, maxResults: 100, total: issue.comments.length, comments: issue.comments } };
      if (!isDoc(req.json?.body)) return { status: 400, json: { errorMessages: ['Comment body is not valid ADF'] } };
      const c = { id: String(20000 + issue.comments.length), body: req.json.body };
      issue.comments.push(c);
      return { status: 201, json: c };
    }
    if (m && issue && m[2] === 'transitions') {
      const transitions = [
        { id: '21', name: 'In Progress' },
        { id: '31', name: 'Done' },
      ];
      if (req.method === 'GET') return { status: 200, json: { transitions } };
      const t = transitions.find((x) => x.id === req.json?.transition?.id);
      if (!t) return { status: 400, json: { errorMessages: ['Transition id is not valid'] } };
      issue.status = t.name;
      return { status: 204 };
    }
    return { status: 404, json: { errorMessages: ['Not found'] } };
  };
  const fake = await startFake(route);
  return Object.assign(fake, { issues, user, token });
}

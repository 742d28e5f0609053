// Each table has one owning module: only it names the table in a query (Kysely builder or raw SQL); every other
// module calls the owner's functions. Migrations, which create the tables, are the one exception.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/fixtures.js';
import { lineAt, sourceFiles, withoutComments, type SourceFile } from '../helpers/source-files.js';

/** The owner of every table in src/store/schema.ts (the README's Layout section lists the same). */
const OWNERS: Record<string, string> = {
  alerts: 'src/store/alerts.ts',
  cursors: 'src/store/cursors.ts',
  audit_log: 'src/store/audit.ts',
  ingest_quarantine: 'src/store/quarantine.ts',
  rule_modes: 'src/store/rule-modes.ts',
  shadow_incidents: 'src/store/rule-modes.ts',
  incidents: 'src/triage/record.ts',
  incident_indicators: 'src/triage/record.ts',
  incident_links: 'src/triage/record.ts',
  incident_comments: 'src/triage/comments.ts',
  detections: 'src/triage/detections.ts',
  detection_rules: 'src/triage/detections.ts',
  suppressions: 'src/triage/suppressions.ts',
  risk_events: 'src/triage/risk.ts',
  outbox: 'src/act/outbox.ts',
  action_refs: 'src/act/refs.ts',
  responses: 'src/act/response/ledger.ts',
  enrich_lookups: 'src/enrich/lookups.ts',
  enrich_cache: 'src/enrich/cache.ts',
  enrich_quota: 'src/enrich/quota.ts',
  enrich_escalations: 'src/enrich/escalations.ts',
  users: 'src/server/auth/users.ts',
  sessions: 'src/server/auth/sessions.ts',
  api_tokens: 'src/server/auth/tokens.ts',
  rate_limits: 'src/server/auth/rate-limits.ts',
  auth_secrets: 'src/server/auth/secrets.ts',
  leases: 'src/cluster/leases.ts',
};

/** Files that may name any table: they create them. */
const EXEMPT = (path: string) => path.startsWith('src/store/migrations/') || path === 'src/store/schema.ts';

/** The tables of the Database interface in src/store/schema.ts. */
function schemaTables(): string[] {
  const text = readFileSync(join(ROOT, 'src/store/schema.ts'), 'utf8');
  const body = /export interface Database \{([^}]*)\}/.exec(text)?.[1] ?? '';
  return [...body.matchAll(/^\s*(\w+)\s*:/gm)].map((m) => m[1]!).sort();
}

interface Reference {
  table: string;
  line: number;
  how: string;
}

const BUILDER = /\.(selectFrom|insertInto|replaceInto|updateTable|deleteFrom|mergeInto|innerJoin|leftJoin|rightJoin|fullJoin|crossJoin|innerJoinLateral|leftJoinLateral|using)\(\s*/g;
const RAW_HELPER = /\bsql\.(table|ref|id|raw|lit)\(\s*/g;
const RAW_TEMPLATE = /\bsql(?:<[^`]*?>)?`/g;

/** The table references in one file's text; a table named by anything but a literal is reported as `?`. */
export function tableReferences(source: string, tables: readonly string[]): Reference[] {
  const text = withoutComments(source);
  const out: Reference[] = [];
  const words = new RegExp(`\\b(${tables.join('|')})\\b`, 'g');
  const literal = (at: number) => /^(['"`])([^'"`]*)\1/.exec(text.slice(at));
  for (const m of text.matchAll(BUILDER)) {
    const at = m.index! + m[0].length;
    const lit = literal(at);
    if (lit) out.push({ table: lit[2]!.split(/\s+as\s+/)[0]!.trim(), line: lineAt(text, m.index!), how: m[1]! });
    else if (text[at] === '[') {
      for (const t of /^\[([^\]]*)\]/.exec(text.slice(at))?.[1]?.matchAll(/['"`]([\w.]+)(?:\s+as\s+\w+)?['"`]/g) ?? []) out.push({ table: t[1]!, line: lineAt(text, m.index!), how: m[1]! });
    } else out.push({ table: '?', line: lineAt(text, m.index!), how: m[1]! });
  }
  for (const m of text.matchAll(RAW_HELPER)) {
    const at = m.index! + m[0].length;
    const lit = literal(at);
    const named = lit?.[2] ?? text.slice(at, text.indexOf(')', at));
    for (const w of named.matchAll(words)) out.push({ table: w[1]!, line: lineAt(text, m.index!), how: `sql.${m[1]}` });
  }
  for (const m of text.matchAll(RAW_TEMPLATE)) {
    const start = m.index! + m[0].length;
    const end = text.indexOf('`', start);
    for (const w of text.slice(start, end < 0 ? undefined : end).matchAll(words)) out.push({ table: w[1]!, line: lineAt(text, start + w.index!), how: 'sql`…`' });
  }
  if (/\.dynamic\.table\(/.test(text)) out.push({ table: '?', line: lineAt(text, text.search(/\.dynamic\.table\(/)), how: 'dynamic.table' });
  return out;
}

function violations(files: SourceFile[], tables: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (EXEMPT(f.path)) continue;
    for (const r of tableReferences(f.text, tables)) {
      if (r.table === '?') out.push(`${f.path}:${r.line}: ${r.how}() names its table by a variable; name it literally, in the table's owner`);
      else if (!tables.includes(r.table)) out.push(`${f.path}:${r.line}: ${r.how}('${r.table}') is no table of src/store/schema.ts`);
      else if (!OWNERS[r.table]) out.push(`${f.path}:${r.line}: ${r.table} has no owner yet: name its one owning module in OWNERS (and the README's Layout section)`);
      else if (OWNERS[r.table] !== f.path) out.push(`${f.path}:${r.line}: ${r.how}('${r.table}') — ${r.table} belongs to ${OWNERS[r.table]}; call its functions`);
    }
  }
  return out;
}

describe('table owners', () => {
  const tables = schemaTables();
  const files = sourceFiles('src');

  it('every table of the schema has exactly one owner, and the owner queries it', () => {
    assert.ok(tables.length >= 20, `read ${tables.length} tables from src/store/schema.ts`);
    assert.deepEqual(Object.keys(OWNERS).sort(), tables);
    for (const [table, owner] of Object.entries(OWNERS)) {
      const file = files.find((f) => f.path === owner);
      assert.ok(file, `${owner} (owner of ${table}) exists`);
      assert.ok(
        tableReferences(file.text, tables).some((r) => r.table === table),
        `${owner} owns ${table} but never queries it`,
      );
    }
  });

  it('no module names a table it does not own', () => {
    assert.deepEqual(violations(files, tables), []);
  });

  it('the scan sees builder calls, joins, raw SQL and tables named by a variable', () => {
    const sample = [
      "await db.selectFrom('incidents as i').selectAll().execute();",
      "db.updateTable('outbox').set({ state: 'x' });",
      "q.innerJoin('users', 'users.name', 'sessions.user_name');",
      'db.selectFrom(["responses as r", "audit_log"]);',
      "const n = sql<number>`select count(*) from detections`;",
      'for (const t of TABLES) await trx.deleteFrom(t).execute();',
      "// db.selectFrom('suppressions') in a comment is prose",
      "const s = 'selectFrom(\"cursors\")';",
    ].join('\n');
    const found = tableReferences(sample, tables).map((r) => `${r.line}:${r.table}`);
    assert.deepEqual(found, ['1:incidents', '2:outbox', '3:users', '4:responses', '4:audit_log', '6:?', '5:detections']);
    const bad = violations([{ path: 'src/server/routes/example.ts', text: sample }], tables);
    assert.equal(bad.length, 7);
    assert.match(bad[0]!, /^src\/server\/routes\/example\.ts:1: selectFrom\('incidents'\) — incidents belongs to src\/triage\/record\.ts/);
  });

  it("the README's Layout section names each table's owner", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('**Tables and their owners.**'), readme.indexOf('**Wiring.**'));
    const rows = new Map<string, string>();
    for (const m of section.matchAll(/^\| ([a-z_, ]+) \| `?(src\/[\w/.-]+\.ts)`?/gm)) for (const t of m[1]!.split(',')) rows.set(t.trim(), m[2]!);
    assert.deepEqual(Object.fromEntries([...rows].sort()), Object.fromEntries(Object.entries(OWNERS).sort()));
  });
});

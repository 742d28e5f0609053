// Which fields a rule needs that Wazuh 5.x findings lack (logon type, status codes, decoder names, 4.x rule ids
// with no 5.x equivalent), and rules whose source Vigil reads from 4.x alerts only: on 5.x input such a rule, or
// its selections over those fields, never match, so the rule says so at load instead of failing silently. A
// field is looked up where the rule's own source reads it on a 4.x alert (a proxy's `c-useragent` is
// `data.http.http_user_agent`, not a Windows field), then in the 4.x → WCS table (src/model/wcs.ts).
import { gapsOf, isV4Path } from '../model/wcs.js';
import type { Accessor } from './fields.js';
import { never, type Source } from './sources/source.js';
import { UnsupportedError } from './sigma/values.js';

/** A rule's source on 4.x alerts and on 5.x documents (resolveSource per format). */
export interface GapSources {
  v4: Source;
  wcs: Source;
}

const UNMAPPED = ' (a source Vigil reads from Wazuh 4.x alerts only)';
/** The gap of a rule whose source Vigil does not map on 5.x documents. */
export const unmappedOn5x = (s: Source) => `${s.name}${UNMAPPED}`;

/** One sentence for a rule's gaps (lint, start-up log): what it cannot see on 5.x input. */
export function describeGaps(gaps: string[]): string {
  const sources = gaps.filter((g) => g.endsWith(UNMAPPED)).map((g) => g.slice(0, -UNMAPPED.length));
  const fields = gaps.filter((g) => !g.endsWith(UNMAPPED));
  const parts: string[] = [];
  if (sources.length > 0) parts.push(`it matches nothing: Vigil reads ${sources.join(', ')} from Wazuh 4.x alerts only`);
  if (fields.length > 0) parts.push(`it needs ${fields.join(', ')}, which 5.x findings lack`);
  return `on Wazuh 5.x input ${parts.join('; ')}`;
}

function fieldsOf(value: unknown, out: string[], ruleIds: string[]): void {
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
    for (const [key, v] of Object.entries(item as Record<string, unknown>)) {
      const field = key.split('|')[0]!;
      if (field === '') continue;
      out.push(field);
      if (field === 'rule.id') for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' || typeof x === 'number') ruleIds.push(String(x));
    }
  }
}

/**
 * Where `get` reads `field` on a 4.x alert: its alert path, `wcs` for a WCS name (read as such on 5.x),
 * `computed` for a value built from other fields (5.x documents have none), undefined for a refused field.
 */
function v4Of(field: string, get: (name: string) => Accessor): string[] | 'wcs' | 'computed' | undefined {
  let acc: Accessor;
  try {
    acc = get(field);
  } catch (err) {
    if (err instanceof UnsupportedError) return undefined; // refused at load anyway
    throw err;
  }
  if (acc.path) return [...acc.path];
  return field.includes('.') && !isV4Path(field) ? 'wcs' : 'computed';
}

/** Gaps of the fields `fields` (and 4.x rule ids) on `sources`. */
export function fieldGaps(fields: string[], sources: GapSources, ruleIds: string[] = []): string[] {
  if (sources.wcs.gate === never) return [unmappedOn5x(sources.v4)];
  const rows: { sigma: string; v4: string }[] = [];
  const computed: string[] = [];
  for (const f of fields) {
    const r = v4Of(f, (n) => sources.v4.field(n));
    if (Array.isArray(r)) rows.push({ sigma: f, v4: r.join('.') });
    else if (r === 'computed') computed.push(`${f} (computed from the 4.x alert)`);
  }
  return [...new Set([...gapsOf(rows, ruleIds), ...computed])];
}

/** The gaps of a detection rule's `detection` section. */
export function wcsGaps(detection: Record<string, unknown>, sources: GapSources): string[] {
  const fields: string[] = [];
  const ruleIds: string[] = [];
  for (const [name, sel] of Object.entries(detection)) if (name !== 'condition' && name !== 'timeframe') fieldsOf(sel, fields, ruleIds);
  return fieldGaps(fields, sources, ruleIds);
}

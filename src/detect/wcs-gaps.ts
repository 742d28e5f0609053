// Which fields a rule needs that Wazuh 5.x findings lack (logon type, status codes, decoder names, 4.x rule ids
// with no 5.x equivalent): on 5.x input the selections over them never match, so the rule says so at load
// instead of failing silently.
import { gapsOf } from '../model/wcs.js';
import { fieldPath } from './fields.js';

function fieldsOf(value: unknown, out: { sigma: string; v4: string }[], ruleIds: string[]): void {
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
    for (const [key, v] of Object.entries(item as Record<string, unknown>)) {
      const field = key.split('|')[0]!;
      if (field === '') continue;
      out.push({ sigma: field, v4: fieldPath('wazuh', field).join('.') });
      if (field === 'rule.id') for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' || typeof x === 'number') ruleIds.push(String(x));
    }
  }
}

/** The gaps of a detection rule's `detection` section, or of a correlation's group-by and counted fields. */
export function wcsGaps(detection: Record<string, unknown> | undefined, extraFields: string[] = []): string[] {
  const fields: { sigma: string; v4: string }[] = extraFields.map((f) => ({ sigma: f, v4: fieldPath('wazuh', f).join('.') }));
  const ruleIds: string[] = [];
  for (const [name, sel] of Object.entries(detection ?? {})) if (name !== 'condition' && name !== 'timeframe') fieldsOf(sel, fields, ruleIds);
  return gapsOf(fields, ruleIds);
}

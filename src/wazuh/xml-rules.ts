// Reads Wazuh 4.x rule files (ruleset/rules/*.xml): `<var>` definitions, `<group name="a,b,">` blocks and the
// `<rule>` elements inside them, keeping every element of a rule in order with its attributes. A rule file is
// not one XML document (several top-level elements, comments between them), so it is read wrapped in a root.
import { VigilError } from '../errors.js';
import { XMLParser } from 'fast-xml-parser';

export interface RuleElement {
  name: string;
  attrs: Record<string, string>;
  text: string;
}

export interface WazuhXmlRule {
  id: string;
  level: number;
  /** Attributes of `<rule>` other than id and level: frequency, timeframe, ignore, noalert, overwrite, maxsize. */
  attrs: Record<string, string>;
  /** The enclosing `<group name>` groups and the rule's own `<group>` groups, compliance groups included. */
  groups: string[];
  description: string;
  mitre: string[];
  /** Every other element, in order. */
  elements: RuleElement[];
  file: string;
}

export class WazuhXmlError extends VigilError<'wazuh_rules'> {
  constructor(message: string) {
    super('wazuh_rules', message);
  }
}

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

const tagOf = (n: Node) => Object.keys(n).find((k) => k !== ':@');

function textOf(children: unknown): string {
  if (!Array.isArray(children)) return '';
  return children
    .map((c: Node) => (typeof c['#text'] === 'string' || typeof c['#text'] === 'number' ? String(c['#text']) : ''))
    .join('')
    .trim();
}

const splitList = (s: string) => s.split(/[,\s]+/).filter((x) => x !== '');

/** Replaces `$NAME` with the value of `<var name="NAME">` (Wazuh substitutes variables in values and attributes). */
function substitute(text: string, vars: Map<string, string>): string {
  return text.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => vars.get(name) ?? whole);
}

export function parseRuleFile(text: string, file: string): WazuhXmlRule[] {
  let tree: Node[];
  try {
    tree = parser.parse(`<vigil-root>${text.replace(/^\s*<\?xml[^>]*\?>/, '')}</vigil-root>`) as Node[];
  } catch (err) {
    throw new WazuhXmlError(`${file}: not readable as Wazuh rule XML: ${(err as Error).message}`);
  }
  const root = tree.find((n) => tagOf(n) === 'vigil-root');
  const vars = new Map<string, string>();
  const out: WazuhXmlRule[] = [];
  const walk = (nodes: Node[], groups: string[]) => {
    for (const n of nodes) {
      const tag = tagOf(n);
      if (!tag || tag === '#text') continue;
      const attrs = n[':@'] ?? {};
      const children = n[tag] as Node[];
      if (tag === 'var') vars.set(attrs.name ?? '', textOf(children));
      else if (tag === 'group') walk(children, [...groups, ...splitList(attrs.name ?? '')]);
      else if (tag === 'rule') out.push(readRule(attrs, children, groups, file, vars));
    }
  };
  walk((root?.['vigil-root'] as Node[]) ?? [], []);
  return out;
}

function readRule(attrs: Record<string, string>, children: Node[], groups: string[], file: string, vars: Map<string, string>): WazuhXmlRule {
  const id = attrs.id;
  if (!id || !/^\d+$/.test(id)) throw new WazuhXmlError(`${file}: a <rule> without a numeric id (${JSON.stringify(attrs)})`);
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (k !== 'id' && k !== 'level') rest[k] = substitute(v, vars);
  const rule: WazuhXmlRule = {
    id,
    level: Number(substitute(attrs.level ?? '0', vars)),
    attrs: rest,
    groups: [...groups],
    description: '',
    mitre: [],
    elements: [],
    file,
  };
  for (const c of children) {
    const tag = tagOf(c);
    if (!tag || tag === '#text') continue;
    const text = substitute(textOf(c[tag]), vars);
    if (tag === 'description') rule.description = text;
    else if (tag === 'group') rule.groups.push(...splitList(text));
    else if (tag === 'mitre') {
      for (const m of c[tag] as Node[]) if (tagOf(m) === 'id') rule.mitre.push(textOf(m.id));
    } else {
      const a: Record<string, string> = {};
      for (const [k, v] of Object.entries(c[':@'] ?? {})) a[k] = substitute(v, vars);
      rule.elements.push({ name: tag, attrs: a, text });
    }
  }
  return rule;
}

/** Compliance groups Wazuh splits out of rule.groups into rule.pci_dss, rule.gdpr, … */
export function isComplianceGroup(g: string): boolean {
  return /^(pci_dss|gdpr|hipaa|nist_800_53|nist_800_171|tsc|gpg13|cis|cmmc|iso_27001|fedramp|nis2)_/.test(g);
}

// vigil rules convert-wazuh FILE.xml…: Wazuh 4.x rules → Sigma rules and correlations, with what could not be
// carried over listed and why. Rules are converted together, so a rule's parents may sit in another file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import { Converter, type Outcome } from '../wazuh/convert.js';
import { parseRuleFile, WazuhXmlError, type WazuhXmlRule } from '../wazuh/xml-rules.js';

interface Out {
  write(s: string): unknown;
}

export interface ConvertOptions {
  /** A folder to write one `<name>.yml` per input file into; stdout when absent. */
  out?: string;
  /** List the folded (level 0, noalert) rules one by one too. */
  verbose?: boolean;
}

function yamlOf(file: string, outcomes: Outcome[]): string {
  const docs: unknown[] = [];
  for (const o of outcomes) {
    if (o.kind === 'detection') docs.push(o.sigma);
    else if (o.kind === 'correlation') docs.push(...o.bases, o.sigma);
  }
  const header =
    `# Sigma rules converted from the Wazuh 4.x rule file ${file} by \`vigil rules convert-wazuh\`.\n` +
    '# They are derived from that file and keep its licence (Wazuh\'s ruleset: GPL-2.0) and authors.\n';
  return header + docs.map((d) => '---\n' + stringify(d, { lineWidth: 0 })).join('');
}

export function convertWazuh(files: string[], options: ConvertOptions = {}, stdout: Out = process.stdout, stderr: Out = process.stderr): number {
  const rules: WazuhXmlRule[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (err) {
      stderr.write(`vigil: cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? err}\n`);
      return 1;
    }
    try {
      rules.push(...parseRuleFile(text, basename(f)));
    } catch (err) {
      if (!(err instanceof WazuhXmlError)) throw err;
      stderr.write(`vigil: ${err.message}\n`);
      return 1;
    }
  }
  const { outcomes } = new Converter(rules).convertAll();
  const byFile = new Map<string, Outcome[]>();
  for (const o of outcomes) byFile.set(o.file, [...(byFile.get(o.file) ?? []), o]);
  if (options.out) mkdirSync(options.out, { recursive: true });
  for (const f of files) {
    const name = basename(f);
    const list = byFile.get(name) ?? [];
    const text = yamlOf(name, list);
    if (options.out) writeFileSync(join(options.out, name.replace(/\.xml$/i, '') + '.yml'), text);
    else stdout.write(text);
    const count = (k: Outcome['kind']) => list.filter((o) => o.kind === k).length;
    for (const o of list) {
      if (o.kind === 'correlation') stderr.write(`correlation    ${o.id.padEnd(6)} ${String(o.sigma.title)}: ${o.summary}\n`);
      else if (o.kind === 'not-converted') stderr.write(`not converted  ${o.id.padEnd(6)} ${o.reasons.join('; ')}\n`);
      else if (o.kind === 'folded' && options.verbose) stderr.write(`folded         ${o.id.padEnd(6)} ${o.reason}\n`);
      if ((o.kind === 'detection' || o.kind === 'correlation') && o.notes.length > 0)
        stderr.write(`  note         ${o.id.padEnd(6)} ${o.notes.join('; ')}\n`);
    }
    stderr.write(
      `${name}: ${list.length} rules: ${count('detection')} detection rules, ${count('correlation')} correlations, ` +
        `${count('folded')} folded into the rules built on them (level 0 or noalert), ${count('not-converted')} not converted\n`,
    );
  }
  return 0;
}

// Every colour pair the stylesheet sets for text meets WCAG AA (4.5:1): white on each badge and button
// background, and the muted, link and error colours on the page and card backgrounds. Read from the
// stylesheet itself, so a new badge colour is checked without a page that happens to show it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/fixtures.js';

const css = readFileSync(join(ROOT, 'web', 'public', 'vigil.css'), 'utf8');
const vars = Object.fromEntries([...css.matchAll(/--([\w-]+):\s*(#[0-9a-f]{3,6})\s*;/gi)].map((m) => [m[1]!, m[2]!]));
const colour = (v: string) => (v.startsWith('var(') ? vars[v.slice(6, -1)] : v);

function luminance(hex: string): number {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('dashboard colours', () => {
  it('measures contrast as WCAG does', () => {
    assert.equal(contrast('#ffffff', '#000000').toFixed(1), '21.0');
    // The figure for the old medium badge: white on #b9770e is 3.67:1.
    assert.equal(contrast('#ffffff', '#b9770e').toFixed(2), '3.68');
  });

  it('white text on every badge and filled button background is at least 4.5:1', () => {
    const rules = [...css.matchAll(/([^{}]+)\{([^}]*)\}/g)]
      .map((m) => ({ selector: m[1]!.trim(), bg: /background:\s*([^;]+);/.exec(m[2]!)?.[1]?.trim() }))
      .filter((r) => r.bg && /\.(level|status|state|verdict)-|\.badge|button\.(primary|danger)/.test(r.selector));
    assert.ok(rules.length >= 15, `found the badge rules (${rules.length})`);
    const low = rules.map((r) => ({ ...r, ratio: contrast('#ffffff', colour(r.bg!)!) })).filter((r) => r.ratio < 4.5);
    assert.deepEqual(low.map((r) => `${r.selector}: ${r.ratio.toFixed(2)}`), []);
  });

  it('muted, link and error text on the page and card backgrounds is at least 4.5:1', () => {
    for (const fg of ['muted', 'accent', 'high', 'fg']) for (const bg of ['bg', 'card']) assert.ok(contrast(vars[fg]!, vars[bg]!) >= 4.5, `${fg} on ${bg}: ${contrast(vars[fg]!, vars[bg]!).toFixed(2)}`);
  });
});

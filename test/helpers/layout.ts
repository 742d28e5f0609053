// What a person notices first on a page, checked in the browser: a page wider than the window, a badge whose
// word is broken over two lines, an empty column header, a cut placeholder, and the accessibility failures axe-core (injected into the page) rates
// serious or critical.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

export const WIDTHS = [390, 1366, 1920] as const;

/**
 * Problems of layout: horizontal overflow of the page, badges whose text wraps onto a second line, header cells
 * without text, and placeholders cut off by their input.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth) {
      // Name the widest element that sticks out, so the failure says where to look.
      let widest = '';
      let right = window.innerWidth;
      for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
        const r = el.getBoundingClientRect();
        if (r.right > right + 0.5) {
          right = r.right;
          widest = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
        }
      }
      out.push(`page is ${doc.scrollWidth}px wide in a ${window.innerWidth}px window (widest: ${widest || 'unknown'})`);
    }
    for (const badge of Array.from(document.querySelectorAll<HTMLElement>('.badge'))) {
      const range = document.createRange();
      range.selectNodeContents(badge);
      const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (tops.size > 1) out.push(`badge "${badge.textContent}" wraps over ${tops.size} lines`);
    }
    for (const th of Array.from(document.querySelectorAll('th'))) {
      if ((th.textContent ?? '').trim() === '') out.push(`an empty header cell in table "${th.closest('table')?.querySelector('caption')?.textContent ?? ''}"`);
    }
    // A placeholder must be readable whole: its text, in the input's font, fits the input's content box.
    const ctx = document.createElement('canvas').getContext('2d')!;
    for (const input of Array.from(document.querySelectorAll<HTMLInputElement>('input[placeholder]'))) {
      const cs = getComputedStyle(input);
      ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      const room = input.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      const need = ctx.measureText(input.placeholder).width;
      if (need > room) out.push(`placeholder "${input.placeholder}" needs ${Math.ceil(need)}px in a ${Math.floor(room)}px input`);
    }
    return out;
  });
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * axe-core's serious and critical violations on the page as it is now. The script is evaluated through the
 * browser's debugging protocol, which the dashboard's Content-Security-Policy (no inline scripts) does not govern.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}

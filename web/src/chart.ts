// A bar chart in SVG built node by node (no markup strings), with a text summary for screen readers.
import { h, s } from './dom.js';

export interface Bar {
  at: number;
  count: number;
}

export function barChart(bars: Bar[], label: string, tick: (ms: number) => string): HTMLElement {
  const W = 1200;
  const H = 200;
  const pad = { l: 36, r: 8, t: 10, b: 24 };
  const max = Math.max(1, ...bars.map((b) => b.count));
  const bw = (W - pad.l - pad.r) / Math.max(1, bars.length);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, class: 'chart' });
  svg.appendChild(s('line', { x1: pad.l, y1: H - pad.b, x2: W - pad.r, y2: H - pad.b, class: 'axis' }));
  svg.appendChild(s('text', { x: pad.l - 4, y: pad.t + 8, 'text-anchor': 'end', class: 'tick' }, String(max)));
  svg.appendChild(s('text', { x: pad.l - 4, y: H - pad.b, 'text-anchor': 'end', class: 'tick' }, '0'));
  bars.forEach((b, i) => {
    const bh = ((H - pad.t - pad.b) * b.count) / max;
    const rect = s('rect', { x: pad.l + i * bw + 1, y: H - pad.b - bh, width: Math.max(1, bw - 2), height: bh, class: 'bar' });
    rect.appendChild(s('title', {}, `${tick(b.at)}: ${b.count}`));
    svg.appendChild(rect);
  });
  const every = Math.max(1, Math.ceil(bars.length / 6));
  bars.forEach((b, i) => {
    if (i % every === 0) svg.appendChild(s('text', { x: pad.l + i * bw, y: H - 6, class: 'tick' }, tick(b.at)));
  });
  const total = bars.reduce((n, b) => n + b.count, 0);
  return h('figure', { class: 'chart-box' }, svg, h('figcaption', {}, `${label}: ${total} in total`));
}

/** Buckets event times into at most `n` bars between their first and last time. */
export function bucketTimes(times: number[], n = 30): Bar[] {
  if (times.length === 0) return [];
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const step = Math.max(1000, Math.ceil((hi - lo + 1) / n));
  const bars = Array.from({ length: Math.floor((hi - lo) / step) + 1 }, (_, i) => ({ at: lo + i * step, count: 0 }));
  for (const t of times) bars[Math.floor((t - lo) / step)]!.count++;
  return bars;
}

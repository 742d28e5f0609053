// Column storage for the groups of one correlation. A flood of a million source addresses is a million groups
// with one match each, so a group's first match is kept in typed-array columns indexed by a slot number (a few
// bytes, no object per group); a window object (windows.ts) is made only when a second match arrives. Freed
// slots are reused.
import type { GroupState } from './windows.js';

export class Slots {
  /** Newest match time of the group. */
  last = new Float64Array(0);
  /** 1 while the group's current burst has fired. */
  fired = new Uint8Array(0);
  /** The first match's rule index (temporal types), while the group holds one match. */
  index0 = new Uint8Array(0);
  /** The first match's counted value (value_count), while the group holds one match. */
  value0: (string | undefined)[] = [];
  /** The window, once the group holds two matches or more in its current burst. */
  state: (GroupState | undefined)[] = [];
  /** Sequence number + 1 of the group's newest input in the evidence ring (evidence.ts; 0: none). */
  ev = new Float64Array(0);
  private used = 0;
  private free: number[] = [];

  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.last.length) this.grow();
    this.value0.push(undefined);
    this.state.push(undefined);
    return this.used++;
  }

  /** Forgets the group in `slot` and makes the slot available again. */
  release(slot: number): void {
    this.fired[slot] = 0;
    this.value0[slot] = undefined;
    this.state[slot] = undefined;
    this.ev[slot] = 0;
    this.free.push(slot);
  }

  private grow(): void {
    const size = Math.max(1024, Math.ceil(this.last.length * 1.5));
    const last = new Float64Array(size);
    last.set(this.last);
    this.last = last;
    const fired = new Uint8Array(size);
    fired.set(this.fired);
    this.fired = fired;
    const index0 = new Uint8Array(size);
    index0.set(this.index0);
    this.index0 = index0;
    const ev = new Float64Array(size);
    ev.set(this.ev);
    this.ev = ev;
  }
}

// The recent inputs of all correlations, for evidence. Groups do not hold their events (a flood from a million
// addresses would hold a million parsed alerts); instead the newest `size` inputs stay in one ring, each linked
// to the previous input of its group. A firing walks its group's chain. When the ring overwrites an entry its
// events are released and its group forgets it, so memory is bounded by the ring, not by the number of groups.
import type { Event } from '../../model/index.js';
import type { EvidenceEntry, Slots } from './slots.js';

export type { EvidenceEntry } from './slots.js';

export class EvidenceRing {
  private readonly entries: (EvidenceEntry | undefined)[];
  private next = 0;

  constructor(readonly size: number) {
    this.entries = new Array(size).fill(undefined);
  }

  push(slots: Slots, slot: number, time: number, events: Event | Event[]): void {
    const old = this.entries[this.next];
    if (old) {
      if (old.slots && old.slots.ev[old.slot] === old) old.slots.ev[old.slot] = undefined;
      old.events = undefined;
      old.prev = undefined;
      old.slots = undefined;
    }
    const entry: EvidenceEntry = { time, events, prev: slots.ev[slot], slots, slot };
    slots.ev[slot] = entry;
    this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.size;
  }

  /** The group's events with times in [from, to], oldest first, at most `cap` (the newest ones). */
  collect(slots: Slots, slot: number, from: number, to: number, cap: number): Event[] {
    const picked: Event[] = [];
    for (let e = slots.ev[slot]; e && picked.length < cap; e = e.prev) {
      if (e.events === undefined || e.time < from || e.time > to) continue;
      if (Array.isArray(e.events)) for (let i = e.events.length - 1; i >= 0 && picked.length < cap; i--) picked.push(e.events[i]!);
      else picked.push(e.events);
    }
    return picked.reverse().sort((a, b) => a.time - b.time);
  }
}

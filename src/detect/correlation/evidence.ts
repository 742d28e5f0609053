// The recent inputs of all correlations, for evidence. Groups do not hold their events (a flood from a million
// addresses would hold a million parsed alerts); instead the newest `size` inputs stay in one ring, each linked
// to the previous input of its group. A firing walks its group's chain. When the ring overwrites an entry its
// events are released and its group forgets it, so memory is bounded by the ring, not by the number of groups.
import type { Event } from '../../model/index.js';
import type { GroupState } from './windows.js';

export interface EvidenceEntry {
  time: number;
  /** One event, or the evidence of a chained correlation's firing. */
  events: Event | Event[] | undefined;
  prev: EvidenceEntry | undefined;
  owner: GroupState | undefined;
}

export class EvidenceRing {
  private readonly slots: (EvidenceEntry | undefined)[];
  private next = 0;

  constructor(readonly size: number) {
    this.slots = new Array(size).fill(undefined);
  }

  push(owner: GroupState, time: number, events: Event | Event[]): void {
    const old = this.slots[this.next];
    if (old) {
      if (old.owner && old.owner.ev === old) old.owner.ev = undefined;
      old.events = undefined;
      old.prev = undefined;
      old.owner = undefined;
    }
    const entry: EvidenceEntry = { time, events, prev: owner.ev, owner };
    owner.ev = entry;
    this.slots[this.next] = entry;
    this.next = (this.next + 1) % this.size;
  }

  /** The group's events with times in [from, to], oldest first, at most `cap` (the newest ones). */
  collect(owner: GroupState, from: number, to: number, cap: number): Event[] {
    const picked: Event[] = [];
    for (let e = owner.ev; e && picked.length < cap; e = e.prev) {
      if (e.events === undefined || e.time < from || e.time > to) continue;
      if (Array.isArray(e.events)) for (let i = e.events.length - 1; i >= 0 && picked.length < cap; i--) picked.push(e.events[i]!);
      else picked.push(e.events);
    }
    return picked.reverse().sort((a, b) => a.time - b.time);
  }
}

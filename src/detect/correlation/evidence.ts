// The recent inputs of all correlations, for evidence. Groups do not hold their events (a flood from a million
// addresses would hold a million parsed alerts); instead the newest `size` inputs stay in one ring, each linked
// to the previous input of its group. A firing walks its group's chain. Memory is bounded by the ring, not by
// the number of groups.
//
// The ring is columns indexed by position, and an input is named by its sequence number (how many inputs came
// before it): a group's link to an input the ring has overwritten since is seen as stale by its number alone,
// so overwriting clears nothing and pushing allocates nothing. An event that can be rebuilt from its raw line
// (model/event.ts, evidenceLine) is kept as that line, not as the parsed alert: most groups never fire, and
// thousands of parsed alerts held for a while were what the garbage collector spent its time copying and
// promoting. Only a firing's evidence (at most EVIDENCE_CAP events, the newest input itself excepted) is
// parsed again from its line, and only for a group's first match of a burst: the matches after it are kept
// parsed (few groups get that far, and those that do are the ones about to fire).
import type { Event, EventFormat } from '../../model/index.js';
import { eventFromLine, evidenceLine } from '../../model/event.js';
import type { Slots } from './slots.js';

export class EvidenceRing {
  private readonly times: Float64Array;
  /** Sequence number + 1 of the group's previous input (0: none). */
  private readonly prevs: Float64Array;
  private readonly lines: (string | undefined)[];
  private readonly formats: (EventFormat | undefined)[];
  /** Events kept as they are: without a raw line to rebuild them from, or a chained firing's evidence. */
  private readonly held: (Event | Event[] | undefined)[];
  /** Inputs pushed so far: the next one's sequence number. */
  private pushed = 0;

  constructor(readonly size: number) {
    this.times = new Float64Array(size);
    this.prevs = new Float64Array(size);
    this.lines = new Array(size).fill(undefined);
    this.formats = new Array(size).fill(undefined);
    this.held = new Array(size).fill(undefined);
  }

  /**
   * `parsed`: keep the event as it is, not as its line. The engine asks for it from a group's second match of a
   * burst on: such a group is on its way to firing, and its firing would parse each of those lines again.
   */
  push(slots: Slots, slot: number, time: number, events: Event | Event[], parsed = false): void {
    const at = this.pushed % this.size;
    this.times[at] = time;
    this.prevs[at] = slots.ev[slot]!;
    const line = parsed || Array.isArray(events) ? undefined : evidenceLine(events);
    this.lines[at] = line;
    this.formats[at] = line === undefined ? undefined : (events as Event).format;
    this.held[at] = line === undefined ? events : undefined;
    slots.ev[slot] = ++this.pushed;
  }

  /**
   * The group's events with times in [from, to], oldest first, at most `cap` (the newest ones). `newest` is the
   * input pushed last, as it was given (it is at hand; its line need not be parsed again).
   */
  collect(slots: Slots, slot: number, from: number, to: number, cap: number, newest?: Event | Event[]): Event[] {
    const picked: Event[] = [];
    const oldest = this.pushed - this.size;
    for (let seq = slots.ev[slot]! - 1; seq >= oldest && seq >= 0 && picked.length < cap; seq = this.prevs[seq % this.size]! - 1) {
      const at = seq % this.size;
      const time = this.times[at]!;
      if (time < from || time > to) continue;
      const events = seq === this.pushed - 1 && newest !== undefined ? newest : (this.held[at] ?? eventFromLine(this.lines[at]!, this.formats[at]!));
      if (Array.isArray(events)) for (let i = events.length - 1; i >= 0 && picked.length < cap; i--) picked.push(events[i]!);
      else picked.push(events);
    }
    return picked.reverse().sort((a, b) => a.time - b.time);
  }
}

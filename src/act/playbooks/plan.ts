// From an incident change to the actions to run: the matching playbooks' actions, in order, each channel
// notified once. Pure: `vigil playbooks test` shows this plan without running it.
import type { BlockAction, InhibitConfig, Playbook, PlaybookChannel } from '../../config/playbooks.js';
import { LEVELS, type Indicator, type Level } from '../../model/index.js';
import { matchPlaybook, type MatchContext, type MatchResult } from './match.js';

/**
 * The strongest other incident open for one of this incident's entities, with a higher severity score (found by
 * triage, src/triage/links.ts).
 */
export interface StrongerIncident {
  id: string;
  title: string;
  level: Level;
  score: number;
  /** The entity both hold. */
  shared: Indicator;
}

/** A matching playbook whose notifications a stronger incident held back. */
export interface Inhibited {
  playbook: string;
  mode: Exclude<InhibitConfig['mode'], 'off'>;
  channels: PlaybookChannel[];
}

/** Whether a playbook's inhibition holds this change back: the stronger incident is at least its `by`, on its `on`. */
export function inhibits(p: Playbook, stronger: StrongerIncident | undefined): boolean {
  const i = p.inhibit;
  if (!i || i.mode === 'off' || !stronger) return false;
  return LEVELS.indexOf(stronger.level) >= LEVELS.indexOf(i.by) && (i.on as string[]).includes(stronger.shared.kind);
}

/** `comments`: the incident's comment thread goes with the message (any matching playbook asking is enough). */
export type PlannedAction = { playbook: string; notify: PlaybookChannel; comments: boolean } | { playbook: string; block: BlockAction };

export interface Plan {
  actions: PlannedAction[];
  /** Every playbook considered, with whether it matched and why not. */
  considered: { playbook: string; result: MatchResult }[];
  /** Matching playbooks whose notifications were held back (inhibition), and by what. */
  inhibited: Inhibited[];
  stronger?: StrongerIncident;
}

/** `stronger`: the strongest other open incident of the same entity, for the playbooks that inhibit. */
export function planActions(playbooks: Playbook[], ctx: MatchContext & { stronger?: StrongerIncident }): Plan {
  const actions: PlannedAction[] = [];
  const considered: Plan['considered'] = [];
  const inhibited: Inhibited[] = [];
  let blocked = false;
  for (const p of playbooks) {
    const result = matchPlaybook(p, ctx);
    considered.push({ playbook: p.name, result });
    if (!result.matched) continue;
    // Inhibited: its notifications stay unsent (a block is a response, not noise: it still goes).
    const held = inhibits(p, ctx.stronger);
    if (held) inhibited.push({ playbook: p.name, mode: p.inhibit.mode as Inhibited['mode'], channels: p.actions.flatMap((a) => ('notify' in a ? [a.notify] : [])) });
    for (const a of p.actions) {
      if ('notify' in a) {
        if (held) continue;
        const earlier = actions.find((x): x is Extract<PlannedAction, { notify: string }> => 'notify' in x && x.notify === a.notify);
        if (earlier) {
          earlier.comments ||= a.comments === true;
          continue;
        }
        actions.push({ playbook: p.name, notify: a.notify, comments: a.comments === true });
      } else if (!blocked && a.block.mode !== 'off') {
        // One block decision per change: the first matching playbook's.
        blocked = true;
        actions.push({ playbook: p.name, block: a.block });
      }
    }
    if (!p.continue) break;
  }
  return { actions, considered, inhibited, stronger: inhibited.length > 0 ? ctx.stronger : undefined };
}

/** The lowest `by` among playbooks that inhibit (undefined: none does, so nobody needs to look). */
export function inhibitionFloor(playbooks: Playbook[]): { level: Level; on: Indicator['kind'][] } | undefined {
  const on = playbooks.filter((p) => p.enabled && p.inhibit && p.inhibit.mode !== 'off');
  if (on.length === 0) return undefined;
  const level = LEVELS[Math.min(...on.map((p) => LEVELS.indexOf(p.inhibit.by)))]!;
  return { level, on: [...new Set(on.flatMap((p) => p.inhibit.on))] };
}

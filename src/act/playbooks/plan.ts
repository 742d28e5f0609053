// From an incident change to the actions to run: the matching playbooks' actions, in order, each channel
// notified once. Pure: `vigil playbooks test` shows this plan without running it.
import type { BlockAction, Playbook, PlaybookChannel } from '../../config/playbooks.js';
import { matchPlaybook, type MatchContext, type MatchResult } from './match.js';

/** `comments`: the incident's comment thread goes with the message (any matching playbook asking is enough). */
export type PlannedAction = { playbook: string; notify: PlaybookChannel; comments: boolean } | { playbook: string; block: BlockAction };

export interface Plan {
  actions: PlannedAction[];
  /** Every playbook considered, with whether it matched and why not. */
  considered: { playbook: string; result: MatchResult }[];
}

export function planActions(playbooks: Playbook[], ctx: MatchContext): Plan {
  const actions: PlannedAction[] = [];
  const considered: Plan['considered'] = [];
  let blocked = false;
  for (const p of playbooks) {
    const result = matchPlaybook(p, ctx);
    considered.push({ playbook: p.name, result });
    if (!result.matched) continue;
    for (const a of p.actions) {
      if ('notify' in a) {
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
  return { actions, considered };
}

// The one list of channels. The `channels:` config section and the channel names playbooks accept are derived
// from it; a channel is one self-describing file (name, config schema, create) registered here.
import type { Clock } from '../../clock.js';
import { sectionShape } from '../../config/component.js';
import type { Channel } from '../channel.js';
import { emailChannel } from './email.js';
import { jiraChannel } from './jira.js';
import { pagerdutyChannel } from './pagerduty.js';
import { servicenowChannel } from './servicenow.js';
import { slackChannel } from './slack.js';
import { teamsChannel } from './teams.js';
import { thehiveChannel } from './thehive.js';
import { webhookChannel } from './webhook.js';

export const CHANNELS = [emailChannel, slackChannel, teamsChannel, webhookChannel, pagerdutyChannel, jiraChannel, servicenowChannel, thehiveChannel] as const;

export type ChannelName = (typeof CHANNELS)[number]['name'];
export const CHANNEL_NAMES = CHANNELS.map((c) => c.name) as [ChannelName, ...ChannelName[]];

export const channelsShape = sectionShape(CHANNELS);

export interface ChannelDeps {
  clock?: Clock;
}

/** The enabled channels, by name. Their config was validated whole at load, "required when enabled" included. */
export function buildChannels(channels: { [N in ChannelName]: { enabled: boolean } }, deps: ChannelDeps = {}): Map<ChannelName, Channel> {
  const out = new Map<ChannelName, Channel>();
  for (const c of CHANNELS) {
    const section = channels[c.name];
    if (section.enabled) out.set(c.name, (c.create as (config: unknown, deps: ChannelDeps) => Channel)(section, deps));
  }
  return out;
}

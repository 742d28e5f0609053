// The configured channels, by name. A channel that is enabled but incomplete stops start-up with its key named.
import type { Config } from '../../config/schema.js';
import type { PlaybookChannel } from '../../config/playbooks.js';
import type { Channel } from '../channel.js';
import { EmailChannel } from './email.js';
import { JiraChannel } from './jira.js';
import { PagerDutyChannel } from './pagerduty.js';
import { ServiceNowChannel } from './servicenow.js';
import { SlackChannel } from './slack.js';
import { TeamsChannel } from './teams.js';
import { TheHiveChannel } from './thehive.js';
import { WebhookChannel } from './webhook.js';

export function buildChannels(channels: Config['channels']): Map<PlaybookChannel, Channel> {
  const out = new Map<PlaybookChannel, Channel>();
  const c = channels;
  if (c.email.enabled) out.set('email', new EmailChannel(c.email));
  if (c.slack.enabled) out.set('slack', new SlackChannel(c.slack));
  if (c.teams.enabled) out.set('teams', new TeamsChannel(c.teams));
  if (c.webhook.enabled) out.set('webhook', new WebhookChannel(c.webhook));
  if (c.pagerduty.enabled) out.set('pagerduty', new PagerDutyChannel(c.pagerduty));
  if (c.jira.enabled) out.set('jira', new JiraChannel(c.jira));
  if (c.servicenow.enabled) out.set('servicenow', new ServiceNowChannel(c.servicenow));
  if (c.thehive.enabled) out.set('thehive', new TheHiveChannel(c.thehive));
  return out;
}

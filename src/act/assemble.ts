// Builds the act stage from the config: channels, playbooks, the response service and its executor.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Playbook } from '../config/playbooks.js';
import type { Config } from '../config/schema.js';
import type { Database } from '../store/schema.js';
import { Actions } from './actions.js';
import type { Channel } from './channel.js';
import type { OutboxPayload } from './payload.js';
import { buildChannels } from './channels/index.js';
import { outboxOptions, type OutboxOptions } from './outbox.js';
import { resolvePlaybooks } from './playbooks/load.js';
import { publicUrlOf, type PublicUrl } from './public-url.js';
import type { ResponseApi } from './response/api.js';
import { ResponseExecutor } from './response/executor.js';
import { resolveApprovalSecret } from './response/secret.js';
import { NO_API, RESPONSE_CHANNEL, ResponseService } from './response/service.js';

export interface ActStage {
  channels: Map<string, Channel<OutboxPayload>>;
  actions: Actions;
  /** Absent for offline replays: they never block anything. */
  responses?: ResponseService;
  outbox: OutboxOptions;
  /** The playbooks in force (configured, or the default one), for reading through the API. */
  playbooks: Playbook[];
  /** The base of links in messages. */
  publicUrl: PublicUrl;
}

export interface ActOptions {
  dataDir: string;
  /** The Wazuh API for active response; without it approved blocks are refused with that reason. */
  api?: ResponseApi;
  /** false (replay): notifications only, no block requests. */
  response?: boolean;
  /** Actions were queued outside the pipeline (an approved block): the outbox should run now. */
  onQueued?: () => void;
}

export function buildActStage(config: Config, db: Kysely<Database>, log: Logger, o: ActOptions): ActStage {
  const channels: Map<string, Channel<OutboxPayload>> = buildChannels(config.channels);
  const playbooks = resolvePlaybooks(config.playbooks, config.actions.playbooksFile, [...channels.keys()] as never);
  const publicUrl = publicUrlOf(config.actions.approvals.publicUrl, config.server.listen);
  let responses: ResponseService | undefined;
  if (o.response !== false) {
    const secret = resolveApprovalSecret(config.actions.approvals.secret, o.dataDir);
    responses = new ResponseService(db, config.actions.response, { ...config.actions.approvals, publicUrl: publicUrl.url, secret }, o.onQueued, o.api ? undefined : NO_API);
    channels.set(RESPONSE_CHANNEL, new ResponseExecutor(db, responses, o.api, log));
  }
  return { channels, actions: new Actions(playbooks, responses), responses, outbox: outboxOptions(config.actions.outbox), playbooks, publicUrl };
}

// A fake Slack built from its documented contracts: incoming webhooks (POST JSON, answer "ok" as text/plain,
// 400 invalid_payload / no_text) and the Web API methods chat.postMessage, conversations.history and
// conversations.replies (Bearer token; HTTP 200 with {ok:false,error} for API errors; message metadata
// returned with include_all_metadata=true). Block Kit limits checked: header text ≤ 150, section fields ≤ 10.
import { startFake, type RecordingFake, type Recorded, type Reply } from './http.js';

export interface SlackMessage {
  ts: string;
  channel: string;
  text: string;
  blocks: any[];
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface FakeSlack extends RecordingFake {
  webhookPath: string;
  token: string;
  messages: SlackMessage[];
}

function checkBlocks(blocks: any[]): string | undefined {
  if (!Array.isArray(blocks) || blocks.length > 50) return 'invalid_blocks';
  for (const b of blocks) {
    if (b.type === 'header' && (b.text?.type !== 'plain_text' || b.text.text.length > 150)) return 'invalid_blocks';
    if (b.type === 'section' && b.fields && b.fields.length > 10) return 'invalid_blocks';
  }
  return undefined;
}

export async function startSlack(): Promise<FakeSlack> {
  const messages: SlackMessage[] = [];
  const token = 'xoxb-test-token';
  const webhookPath = '/services/T000/B000/XXXX';
  let seq = 1_700_000_000;
  const api = (req: Recorded): Reply => {
    if (req.headers.authorization !== `Bearer ${token}`) return { status: 200, json: { ok: false, error: 'invalid_auth' } };
    const method = req.path.slice('/api/'.length);
    if (method === 'chat.postMessage') {
      const b = req.json ?? {};
      if (!b.channel) return { status: 200, json: { ok: false, error: 'channel_not_found' } };
      const bad = b.blocks ? checkBlocks(b.blocks) : undefined;
      if (bad) return { status: 200, json: { ok: false, error: bad } };
      const ts = `${seq++}.000100`;
      messages.push({ ts, channel: b.channel, text: b.text, blocks: b.blocks ?? [], thread_ts: b.thread_ts, metadata: b.metadata });
      return { status: 200, json: { ok: true, channel: b.channel, ts, message: { ts, text: b.text } } };
    }
    if (method === 'conversations.history' || method === 'conversations.replies') {
      const channel = req.query.get('channel');
      const withMeta = req.query.get('include_all_metadata') === 'true';
      const thread = req.query.get('ts');
      const list = messages
        .filter((m) => m.channel === channel && (method === 'conversations.history' ? !m.thread_ts : m.ts === thread || m.thread_ts === thread))
        .map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(withMeta && m.metadata ? { metadata: m.metadata } : {}) }));
      return { status: 200, json: { ok: true, messages: method === 'conversations.history' ? list.reverse() : list, has_more: false } };
    }
    return { status: 200, json: { ok: false, error: 'unknown_method' } };
  };
  const fake = await startFake((req) => {
    if (req.method === 'POST' && req.path === webhookPath) {
      const b = req.json;
      if (!b || (!b.text && !b.blocks)) return { status: 400, text: 'no_text' };
      if (b.blocks && checkBlocks(b.blocks)) return { status: 400, text: 'invalid_blocks' };
      messages.push({ ts: '', channel: 'webhook', text: b.text, blocks: b.blocks ?? [] });
      return { status: 200, text: 'ok', headers: { 'content-type': 'text/plain' } };
    }
    if (req.path.startsWith('/api/')) return api(req);
    return { status: 404, text: 'no_service' };
  });
  return Object.assign(fake, { webhookPath, token, messages });
}

// A FAKE OpenAI-compatible chat-completions endpoint, built from the documented contract
// (platform.openai.com/docs/api-reference/chat/create; the same shape Ollama, vLLM and llama.cpp serve under
// /v1): POST /v1/chat/completions with `Authorization: Bearer <key>`, a JSON body {model, messages,
// max_tokens, temperature, response_format}; answers {id, object: "chat.completion", created, model,
// choices: [{index, message: {role: "assistant", content}, finish_reason}], usage: {prompt_tokens,
// completion_tokens, total_tokens}}; errors {error: {message, type, code}}. No model runs here: the answer is
// whatever the test sets.
import { serve, sendJson } from './http.js';

export interface FakeChat {
  url: string;
  /** Every request body received. */
  requests: any[];
  key: string;
  /** The assistant message content to answer with (a string: sent as is; an object: JSON-encoded). */
  answer: unknown;
  /** Delay before answering, ms (a slow model). */
  delayMs: number;
  /** Answer with this HTTP status and an error body instead. */
  failWith?: number;
  tokensPerAnswer: number;
  close(): Promise<void>;
}

export async function startFakeChat(key = 'sk-test'): Promise<FakeChat> {
  const fake: Omit<FakeChat, 'url' | 'close'> = { requests: [], key, answer: {}, delayMs: 0, tokensPerAnswer: 420 };
  const server = await serve(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return sendJson(res, 404, { error: { message: 'Not found', type: 'invalid_request_error', code: null } });
    if (req.headers.authorization !== `Bearer ${fake.key}`) {
      return sendJson(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = JSON.parse(text);
    fake.requests.push(body);
    if (fake.delayMs > 0) await new Promise((r) => setTimeout(r, fake.delayMs));
    if (res.destroyed) return;
    if (fake.failWith) return sendJson(res, fake.failWith, { error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null } });
    const content = typeof fake.answer === 'string' ? fake.answer : JSON.stringify(fake.answer);
    sendJson(res, 200, {
      id: `chatcmpl-fake${fake.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: fake.tokensPerAnswer - 100, completion_tokens: 100, total_tokens: fake.tokensPerAnswer },
    });
  });
  return Object.assign(fake, { url: `${server.url}/v1`, close: server.close }) as FakeChat;
}

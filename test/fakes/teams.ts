// A fake Teams workflow webhook ("When a Teams webhook request is received"): accepts POST JSON
// {type:"message", attachments:[{contentType:"application/vnd.microsoft.card.adaptive", content:{type:"AdaptiveCard",…}}]}
// and answers 202 Accepted with an empty body, as the workflow trigger does.
import { startFake, type RecordingFake } from './http.js';

export interface FakeTeams extends RecordingFake {
  path: string;
  cards: any[];
}

export async function startTeams(): Promise<FakeTeams> {
  const cards: any[] = [];
  const path = '/workflows/abc/triggers/manual/paths/invoke';
  const fake = await startFake((req) => {
    if (req.method !== 'POST' || req.path !== path) return { status: 404, json: { error: { code: 'WorkflowNotFound' } } };
    const a = req.json?.attachments?.[0];
    if (req.json?.type !== 'message' || a?.contentType !== 'application/vnd.microsoft.card.adaptive' || a?.content?.type !== 'AdaptiveCard') {
      return { status: 400, json: { error: { code: 'InvalidRequestContent' } } };
    }
    cards.push(a.content);
    return { status: 202, text: '' };
  });
  return Object.assign(fake, { path, cards });
}

// The incident's timeline: detections, deliveries, blocks, analyst actions and the comment thread, oldest
// first, with the form to add a comment.
import { api, canAct } from '../api.js';
import { h } from '../dom.js';
import { utc } from '../format.js';
import type { TimelineItem } from '../types.js';

const KIND: Record<TimelineItem['kind'], string> = {
  detection: 'detection',
  action: 'delivery',
  response: 'block',
  analyst: 'analyst',
  comment: 'comment',
};

export function timelineList(items: TimelineItem[]): HTMLElement {
  if (items.length === 0) return h('p', { class: 'muted' }, 'Nothing has happened to this incident yet.');
  return h(
    'ol',
    { class: 'timeline', 'aria-label': 'what happened, oldest first' },
    items.map((t) =>
      h(
        'li',
        { class: t.kind },
        h('time', { datetime: new Date(t.at).toISOString() }, utc(t.at)),
        h('span', { class: 'kind' }, KIND[t.kind] ?? t.kind),
        h('span', { class: 'text' }, t.kind === 'comment' && t.actor ? [h('strong', {}, t.actor), ': ', t.text] : t.text),
      ),
    ),
  );
}

/** The comment form. It is built once per page so that polling re-renders never lose a half-typed comment. */
export function commentForm(incidentId: string, afterPost: () => Promise<void>): HTMLElement {
  const text = h('textarea', { id: 'c-text', name: 'text', required: true, maxlength: 4000, rows: 3 });
  const result = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', disabled: !canAct() }, 'Add comment');
  const form = h('form', { class: 'comment', 'aria-label': 'comment thread' }, h('label', { for: 'c-text' }, 'New comment'), text, button, result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = text.value.trim();
    if (!body) return void (result.textContent = 'Write something first.');
    button.disabled = true;
    result.textContent = 'Adding the comment…';
    try {
      await api('POST', `/incidents/${encodeURIComponent(incidentId)}/comments`, { text: body });
      text.value = '';
      result.textContent = 'Comment added to the timeline.';
      await afterPost();
    } catch (err) {
      result.className = 'result error';
      result.textContent = `The comment was not added: ${(err as Error).message}`;
    } finally {
      button.disabled = !canAct();
    }
  });
  return form;
}

// Approval links: GET /api/v1/approvals/:id shows the proposed block and a form; POST decides it, once.
// The GET never decides, so mail scanners and link previews that fetch URLs cannot approve anything.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDuration } from '../act/response/format.js';
import type { DecisionResult, ResponseView } from '../act/response/service.js';
import { escapeHtml, formatTime } from '../act/render/text.js';
import type { AppContext } from './context.js';

interface Params {
  id: string;
}

const STATUS: Record<string, number> = { 'not-found': 404, 'bad-signature': 403, expired: 410, 'already-used': 409, 'not-blocked': 409 };
const MESSAGES: Record<string, string> = {
  'not-found': 'There is no such proposed response.',
  'bad-signature': 'This link is not valid (its signature does not match).',
  expired: 'This link has expired. The block was not run.',
  'already-used': 'This link was already used: the decision stands and cannot be made again.',
};

function page(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .type('text/html; charset=utf-8')
    .send(
      `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head>` +
        `<body style="font-family:Arial,Helvetica,sans-serif;max-width:640px;margin:2em auto;padding:0 1em"><h1 style="font-size:20px">${escapeHtml(title)}</h1>${body}</body></html>`,
    );
}

function describe(r: ResponseView): string {
  const rows: [string, string][] = [
    ['Address', r.address],
    ['Agents', r.agents.join(', ') || '—'],
    ['Incident', r.incidentId],
    ['Playbook', r.playbook],
    ['Offence', `${r.offence} (block for ${formatDuration(r.durationMs)})`],
    ['State', r.state],
  ];
  if (r.approvalExpiresAt) rows.push(['Link valid until', formatTime(r.approvalExpiresAt)]);
  return `<table style="border-collapse:collapse">${rows.map(([k, v]) => `<tr><th align="left" style="padding:4px 12px 4px 0">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

function wantsJson(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('application/json') && !(req.headers.accept ?? '').includes('text/html');
}

export async function approvalRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<{ Params: Params; Querystring: { exp?: string; sig?: string } }>(
    '/api/v1/approvals/:id',
    { config: { access: 'public' }, schema: { tags: ['response'], description: 'Show a proposed block behind a signed approval link (the signature is the credential)' } },
    async (req, reply) => {
      const service = ctx.responses;
      const id = Number(req.params.id);
      const exp = Number(req.query.exp);
      const sig = String(req.query.sig ?? '');
      if (!service) return page(reply, 404, 'Active response is off', '<p>This Vigil does not run active responses.</p>');
      const r = Number.isSafeInteger(id) ? await service.get(id) : undefined;
      if (!r) return page(reply, 404, 'Not found', `<p>${MESSAGES['not-found']}</p>`);
      if (!service.verifyLink(id, exp, sig)) return page(reply, 403, 'Invalid link', `<p>${MESSAGES['bad-signature']}</p>`);
      if (r.state !== 'awaiting-approval') return page(reply, 409, 'Already decided', `<p>${MESSAGES['already-used']}</p>${describe(r)}`);
      if (Date.now() > exp) return page(reply, 410, 'Link expired', `<p>${MESSAGES.expired}</p>${describe(r)}`);
      const hidden = `<input type="hidden" name="exp" value="${escapeHtml(exp)}"><input type="hidden" name="sig" value="${escapeHtml(sig)}">`;
      const form = (decision: string, label: string, colour: string) =>
        `<form method="post" action="/api/v1/approvals/${id}" style="display:inline-block;margin:1em 1em 0 0">${hidden}<input type="hidden" name="decision" value="${decision}"><button type="submit" style="background:${colour};color:#fff;border:0;padding:10px 18px;font-size:15px;border-radius:4px">${label}</button></form>`;
      return page(reply, 200, `Block ${r.address}?`, describe(r) + form('approve', 'Approve block', '#b91c1c') + form('deny', 'Deny', '#475569') + '<p style="color:#64748b;font-size:13px">The link works once.</p>');
    },
  );

  app.post<{ Params: Params }>(
    '/api/v1/approvals/:id',
    { config: { access: 'public' }, schema: { tags: ['response'], description: 'Approve or deny a proposed block with a signed, single-use link (the signature is the credential)' } },
    async (req, reply) => {
      const service = ctx.responses;
      if (!service) return reply.code(404).send({ error: 'not_found', message: 'active response is off' });
      const raw = typeof req.body === 'string' ? req.body : '';
      let fields: Record<string, string>;
      try {
        fields = (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(raw || '{}') : Object.fromEntries(new URLSearchParams(raw));
      } catch {
        return reply.code(400).send({ error: 'bad_request', message: 'the body is not valid JSON' });
      }
      const decision = fields.decision;
      if (decision !== 'approve' && decision !== 'deny') return reply.code(400).send({ error: 'bad_request', message: 'decision must be approve or deny' });
      const result: DecisionResult = await service.decideByLink(Number(req.params.id), Number(fields.exp), String(fields.sig ?? ''), decision, `approval-link@${req.ip}`);
      if (wantsJson(req)) {
        return result.ok ? reply.send({ ok: true, response: result.response }) : reply.code(STATUS[result.reason] ?? 400).send({ error: result.reason, message: MESSAGES[result.reason] });
      }
      if (!result.ok) return page(reply, STATUS[result.reason] ?? 400, 'Refused', `<p>${escapeHtml(MESSAGES[result.reason] ?? result.reason)}</p>${result.response ? describe(result.response) : ''}`);
      const done = decision === 'approve' ? 'Block approved: it runs now.' : 'Block denied: nothing will run.';
      return page(reply, 200, done, describe(result.response));
    },
  );
}

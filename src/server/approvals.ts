// Approval links: GET /api/v1/approvals/:id shows the proposed block and a form; POST decides it, once.
// The GET never decides, so mail scanners and link previews that fetch URLs cannot approve anything.
import { clock } from '../triage/context.js';
import type { Routes } from './plugin.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DecisionResult, ResponseView } from '../act/response/service.js';
import { findIncident } from '../triage/record.js';
import { escapeHtml } from '../act/render/text.js';
import { describeResponse as describe, outcome, sendPage as page } from './approval-page.js';
import type { AppContext } from './context.js';

// Loose on purpose: a malformed link gets the page that says so, not a validation error.
const linkParams = { type: 'object', properties: { id: { type: 'string' } } } as const;
const linkQuery = { type: 'object', properties: { exp: { type: 'string' }, sig: { type: 'string' } } } as const;

const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const json = (description: string, schema: Record<string, unknown>) => ({ description, content: { 'application/json': { schema } } });
const error = { type: 'object', additionalProperties: false, required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' } } };
/** The pages (and, to `Accept: application/json`, the JSON) an approval link answers with. */
const PAGES = {
  403: html('The link\'s signature does not match.'),
  404: html('No such proposed response, or active response is off.'),
  409: html('Already decided, or the block was refused by the guard rails.'),
  410: html('The link has expired; the block was not run.'),
};

const decisionBody = {
  type: 'object',
  required: ['decision', 'exp', 'sig'],
  properties: { decision: { type: 'string', enum: ['approve', 'deny'] }, exp: { type: 'string', description: 'From the link.' }, sig: { type: 'string', description: 'From the link.' } },
};

const STATUS: Record<string, number> = { 'not-found': 404, 'bad-signature': 403, expired: 410, 'already-used': 409, 'not-blocked': 409 };
const MESSAGES: Record<string, string> = {
  'not-found': 'There is no such proposed response.',
  'bad-signature': 'This link is not valid (its signature does not match).',
  expired: 'This link has expired. The block was not run.',
  'already-used': 'This link was already used: the decision stands and cannot be made again.',
};

function wantsJson(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('application/json') && !(req.headers.accept ?? '').includes('text/html');
}

export const approvalRoutes: Routes<Pick<AppContext, 'db' | 'triage'> & AppContext['act']> = async (app, ctx) => {
  // Behind a verified signature only: the facts named with the incident's title.
  const titled = async (r: ResponseView) => describe(r, (await findIncident(ctx.db, r.incidentId))?.title);
  app.get(
    '/approvals/:id',
    {
      config: { access: 'public', openapi: { responses: { 200: html('The proposed block, with an approve and a deny form.'), ...PAGES } } },
      schema: {
        tags: ['response'],
        summary: 'Show a proposed block (approval link)',
        description: 'Show a proposed block behind a signed approval link (the signature is the credential). Never decides anything.',
        params: linkParams,
        querystring: linkQuery,
      },
    },
    async (req, reply) => {
      const service = ctx.responses;
      const id = Number(req.params.id);
      const exp = Number(req.query.exp);
      const sig = String(req.query.sig ?? '');
      if (!service) return page(reply, 404, 'Active response is off', '<p>This Vigil does not run active responses.</p>');
      const r = Number.isSafeInteger(id) ? await service.get(id) : undefined;
      if (!r) return page(reply, 404, 'Not found', `<p>${MESSAGES['not-found']}</p>`);
      if (!service.verifyLink(id, exp, sig)) return page(reply, 403, 'Invalid link', `<p>${MESSAGES['bad-signature']}</p>`);
      if (r.state === 'refused') return page(reply, 409, 'Block refused', `<p>${escapeHtml(outcome(r, 'approve').text)}</p>${await titled(r)}`, 'refused');
      if (r.state !== 'awaiting-approval') return page(reply, 409, 'Already decided', `<p>${MESSAGES['already-used']}</p>${await titled(r)}`);
      if (clock(ctx.triage) > exp) return page(reply, 410, 'Link expired', `<p>${MESSAGES.expired}</p>${await titled(r)}`);
      const hidden = `<input type="hidden" name="exp" value="${escapeHtml(exp)}"><input type="hidden" name="sig" value="${escapeHtml(sig)}">`;
      const form = (decision: string, label: string, cls: string) =>
        `<form method="post" action="/api/v1/approvals/${id}">${hidden}<input type="hidden" name="decision" value="${decision}"><button type="submit" class="${cls}">${label}</button></form>`;
      return page(reply, 200, `Block ${r.address}?`, (await titled(r)) + form('approve', 'Approve block', 'danger') + form('deny', 'Deny', '') + '<p class="muted small">The link works once.</p>');
    },
  );

  app.post(
    '/approvals/:id',
    {
      config: {
        access: 'public',
        openapi: {
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': { schema: decisionBody },
              'application/json': { schema: decisionBody },
            },
          },
          responses: {
            200: {
              description: 'Decided: a page saying what happened, or to Accept: application/json the response record.',
              content: { 'text/html': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object', required: ['ok', 'response'], properties: { ok: { type: 'boolean', enum: [true] }, response: { type: 'object' } } } } },
            },
            400: json('The body is not valid JSON, or the decision is neither approve nor deny.', error),
            403: { ...PAGES[403], content: { ...PAGES[403].content, 'application/json': { schema: error } } },
            404: { ...PAGES[404], content: { ...PAGES[404].content, 'application/json': { schema: error } } },
            409: { ...PAGES[409], content: { ...PAGES[409].content, 'application/json': { schema: error } } },
            410: { ...PAGES[410], content: { ...PAGES[410].content, 'application/json': { schema: error } } },
          },
        },
      },
      schema: {
        tags: ['response'],
        summary: 'Approve or deny a proposed block (approval link)',
        description: 'Approve or deny a proposed block with a signed, single-use link (the signature is the credential).',
        params: linkParams,
      },
    },
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
      if (!result.ok)
        return page(reply, STATUS[result.reason] ?? 400, 'Link refused', `<p>${escapeHtml(MESSAGES[result.reason] ?? result.reason)}</p>${result.response ? describe(result.response) : ''}`, 'refused');
      // What the page says follows the state the decision led to, so a block refused after approval reads as refused.
      const now = (await service.get(result.response.id)) ?? result.response;
      const o = outcome(now, decision);
      return page(reply, 200, o.title, `<p>${escapeHtml(o.text)}</p>${await titled(now)}`, o.tone);
    },
  );
};

import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { faultReply } from './envelopes.js';
import { BadRequest, type Body, readBody, sendJson } from './http-util.js';
import type { EmulatorState, RequestContext, Route } from './state.js';

/** Finds the route for a request, applies injected faults, runs it, and turns a throw into a JSON error. */
export async function dispatch(
  routes: readonly Route[],
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const onPath = routes.filter((r) => r.path === url.pathname);
    const route = onPath.find((r) => r.method === req.method);
    if (!route && onPath.length > 0) {
      const allow = onPath.map((r) => r.method).join(', ');
      return sendJson(res, 405, { error: 'method_not_allowed' }, { allow });
    }
    if (!route) {
      return sendJson(res, 404, {
        error: 'not_found',
        error_description: `No emulated endpoint at ${url.pathname}`,
      });
    }
    let body: Promise<Body> | undefined;
    const ctx: RequestContext = {
      req,
      res,
      url,
      state,
      origin: `http://${req.headers.host ?? 'localhost'}`,
      body: () => {
        body ??= readBody(req);
        return body;
      },
    };
    if (route.record) await recordRequest(ctx);
    if (route.fault && (await injectFault(route.fault, ctx))) return;
    await route.handle(ctx);
  } catch (err) {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    if (err instanceof BadRequest) {
      return sendJson(res, 400, { error: 'invalid_request', error_description: err.message });
    }
    sendJson(res, 500, { error: 'emulator_error', error_description: 'internal emulator error' });
  }
}

/** Logs a model-endpoint request before anything can refuse it; the status is filled in once answered. */
async function recordRequest(ctx: RequestContext): Promise<void> {
  const { headers: h } = ctx.req;
  const sent = (h['content-length'] ?? '0') !== '0' || h['transfer-encoding'] !== undefined;
  let body: unknown = null;
  try {
    if (sent) body = await ctx.body();
  } catch {
    // unreadable body: recorded as null, the route answers the error
  }
  const { method = 'GET', url = '/', headers } = ctx.req;
  const entry = ctx.state.recorder.record(method, url, headers, body);
  ctx.res.once('finish', () => {
    entry.status = ctx.res.statusCode;
  });
}

/** Delays the request and, if a counted fault matches, answers it; true when the route must not run. */
async function injectFault(fault: NonNullable<Route['fault']>, ctx: RequestContext): Promise<boolean> {
  const { faults, counters } = ctx.state;
  if (fault.target === 'token') counters.tokenRequests += 1;
  const delay = faults.latencyFor(fault.target, fault.provider);
  if (delay > 0) await sleep(delay);
  const action = faults.take(fault.target, fault.provider);
  if (action.kind === 'none') return false;
  const reply = faultReply(action, fault.provider, fault.target);
  sendJson(ctx.res, reply.status, reply.body, reply.headers);
  return true;
}

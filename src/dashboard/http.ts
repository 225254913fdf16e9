import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClawkeepError, isClawkeepError } from '../errors.js';
import { escapeHtml } from '../util/html.js';

/** Headers on every dashboard answer: no framing, no sniffing, no referrer, no caching, local assets only. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export function sendApiError(res: ServerResponse, err: unknown): void {
  if (isClawkeepError(err)) {
    sendJson(res, err.status, { error: err.toJSON() });
    return;
  }
  sendJson(res, 500, { error: { code: 'internal', message: (err as Error).message } });
}

export function sendHtml(
  res: ServerResponse,
  status: number,
  html: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', ...extra });
  res.end(html);
}

/** A small HTML page for answers outside the app (refused sign-in, no session). */
export function messagePage(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · clawkeep</title></head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></main></body></html>`;
}

const MAX_BODY = 64 * 1024;

/** Reads a JSON object body (at most 64 KiB); a wrong type or shape is a `usage` error. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    req.resume();
    throw new ClawkeepError('usage', 'send the request body as JSON (content-type: application/json)');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ClawkeepError('usage', 'request body too large (limit 64 KiB)');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ClawkeepError('usage', 'request body is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ClawkeepError('usage', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildMessage, type MessagesReplyInput } from '../../src/emulator/anthropic-messages.js';
import { buildChatCompletion, type ChatRequest } from '../../src/emulator/chat-completions.js';
import { buildResponse, type ResponsesRequest } from '../../src/emulator/responses-api.js';
import { sendSse } from '../../src/emulator/sse.js';

/** One request as a client sent it. */
export interface CapturedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  /** What the capture server answered with (`responses`, `messages`, ...). */
  answeredAs: string;
}

export interface CaptureServer {
  url: string;
  requests: CapturedRequest[];
  close(): Promise<void>;
}

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'chatgpt-account-id', 'cookie']);

/** A header map with credentials replaced by `<redacted>`; repeated headers joined like node does. */
function redactHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name) ? '<redacted>' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Tools with a `name` the emulated model may call: function tools only (never `web_search` etc.). */
function functionTools<T extends { type?: unknown }>(tools: unknown): T[] {
  return Array.isArray(tools)
    ? tools.filter(
        (t): t is T => isObject(t) && (t.type === undefined || t.type === 'function' || t.type === 'custom'),
      )
    : [];
}

/** Answers in the API shape of the path, with the emulator's deterministic replies. */
function answer(path: string, body: unknown, res: ServerResponse): string {
  const req = isObject(body) ? body : {};
  if (path.endsWith('/messages/count_tokens')) {
    json(res, 200, { input_tokens: Math.max(1, Math.ceil(JSON.stringify(req).length / 4)) });
    return 'count_tokens';
  }
  if (path.endsWith('/responses')) {
    const tools = functionTools<{ type?: string; name?: string }>(req.tools);
    const { response, events } = buildResponse('openai-codex', { ...req, tools } as ResponsesRequest);
    if (req.stream === false) json(res, 200, response);
    else sendSse(res, events);
    return 'responses';
  }
  if (path.endsWith('/messages')) {
    // Messages tools carry no `type` for custom tools; server tools (web_search_...) have one.
    const tools = Array.isArray(req.tools)
      ? req.tools.filter((t) => isObject(t) && (t.type === undefined || t.type === 'custom'))
      : [];
    const { message, events } = buildMessage({ ...req, tools } as unknown as MessagesReplyInput);
    if (req.stream === true) sendSse(res, events);
    else json(res, 200, message);
    return 'messages';
  }
  if (path.endsWith('/chat/completions')) {
    const tools = functionTools(req.tools);
    const { completion, chunks } = buildChatCompletion({ ...req, tools } as ChatRequest);
    if (req.stream === true) sendSse(res, chunks);
    else json(res, 200, completion);
    return 'chat';
  }
  if (path.endsWith('/models')) {
    json(res, 200, {
      object: 'list',
      data: [{ id: 'capture-model', object: 'model', created: 0, owned_by: 'capture' }],
      models: [],
    });
    return 'models';
  }
  json(res, 200, {});
  return 'empty';
}

/** A loopback server that records every request and answers like a model API would. */
export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://capture.invalid');
      const body = await readJson(req);
      const entry: CapturedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: redactHeaders(req),
        body,
        answeredAs: '',
      };
      requests.push(entry);
      if (req.method === 'HEAD') {
        res.writeHead(200).end();
        entry.answeredAs = 'head';
        return;
      }
      try {
        entry.answeredAs = answer(url.pathname, body, res);
      } catch (err) {
        entry.answeredAs = `error: ${(err as Error).message}`;
        if (!res.headersSent) json(res, 500, { error: { message: (err as Error).message } });
        else res.end();
      }
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * Scripted agents for the lifetime suite: each runs two-turn conversations with a tool call (the
 * emulated model calls the first tool when the prompt says "use tool"), in the API the agent speaks,
 * streaming every other turn, until told to stop. Every answer is recorded; a refused connection
 * (the gateway restarting) is retried and counted apart, since no one answered it.
 */

export type AgentApi = 'chat' | 'messages';

export interface AgentSpec {
  name: string;
  api: AgentApi;
  /** `provider/model`: one target, so a failure shows as an error instead of a fallback. */
  model: string;
}

export interface AgentTally {
  /** HTTP answers by status. */
  statuses: Record<number, number>;
  /** Completed two-turn conversations. */
  conversations: number;
  /** Requests that never got an answer (connection refused or reset while the gateway restarted). */
  connectRetries: number;
  /** Bodies of non-2xx answers (checked for source text and tokens). */
  errorBodies: string[];
  /** Answers by the `x-clawkeep-fallback` header: none expected with one target. */
  fallbacks: number;
}

const PROMPT = 'Please use tool to list the files here.';

export function newTally(): AgentTally {
  return { statuses: {}, conversations: 0, connectRetries: 0, errorBodies: [], fallbacks: 0 };
}

/** Runs conversations until `running()` turns false. */
export async function runAgent(
  spec: AgentSpec,
  o: { baseUrl: () => string; key: string; running: () => boolean; tally: AgentTally; pauseMs?: number },
): Promise<void> {
  let turn = 0;
  while (o.running()) {
    // An agent thinks between turns; a pause keeps a test's load what a busy user makes, not a flood.
    if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
    const ok =
      spec.api === 'chat' ? await chatConversation(spec, o, turn) : await messagesConversation(spec, o, turn);
    turn++;
    if (ok) o.tally.conversations++;
  }
}

type Post = (path: string, body: unknown, headers: Record<string, string>) => Promise<Answer | null>;
interface Answer {
  status: number;
  text: string;
}

function poster(o: { baseUrl: () => string; key: string; running: () => boolean; tally: AgentTally }): Post {
  return async (path, body, headers) => {
    for (;;) {
      try {
        const res = await fetch(`${o.baseUrl()}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        o.tally.statuses[res.status] = (o.tally.statuses[res.status] ?? 0) + 1;
        if (res.headers.get('x-clawkeep-fallback')) o.tally.fallbacks++;
        if (res.status >= 300) o.tally.errorBodies.push(text);
        return { status: res.status, text };
      } catch {
        // Refused or reset: the gateway is restarting. Nobody answered; ask again once it is back.
        o.tally.connectRetries++;
        if (!o.running()) return null;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
}

const TOOLS_CHAT = [
  {
    type: 'function',
    function: {
      name: 'list_files',
      description: 'List files',
      parameters: { type: 'object', properties: {} },
    },
  },
];

async function chatConversation(
  spec: AgentSpec,
  o: { baseUrl: () => string; key: string; running: () => boolean; tally: AgentTally },
  turn: number,
): Promise<boolean> {
  const post = poster(o);
  const auth = { authorization: `Bearer ${o.key}` };
  const messages: unknown[] = [{ role: 'user', content: `${PROMPT} (${spec.name} #${turn})` }];
  const first = await post('/v1/chat/completions', { model: spec.model, messages, tools: TOOLS_CHAT }, auth);
  if (first?.status !== 200) return false;
  const msg = (JSON.parse(first.text) as { choices: { message: { tool_calls?: { id: string }[] } }[] })
    .choices[0]?.message;
  const call = msg?.tool_calls?.[0];
  if (!call) throw new Error(`${spec.name}: expected a tool call, got ${first.text.slice(0, 300)}`);
  messages.push(msg, { role: 'tool', tool_call_id: call.id, content: 'README.md\npackage.json' });
  const stream = turn % 2 === 1;
  const second = await post(
    '/v1/chat/completions',
    { model: spec.model, messages, tools: TOOLS_CHAT, stream },
    auth,
  );
  if (second?.status !== 200) return false;
  if (stream && !second.text.includes('data: [DONE]')) throw new Error(`${spec.name}: stream did not end`);
  return true;
}

async function messagesConversation(
  spec: AgentSpec,
  o: { baseUrl: () => string; key: string; running: () => boolean; tally: AgentTally },
  turn: number,
): Promise<boolean> {
  const post = poster(o);
  const headers = { 'x-api-key': o.key, 'anthropic-version': '2023-06-01' };
  const tools = [
    { name: 'list_files', description: 'List files', input_schema: { type: 'object', properties: {} } },
  ];
  const messages: unknown[] = [{ role: 'user', content: `${PROMPT} (${spec.name} #${turn})` }];
  const first = await post('/v1/messages', { model: spec.model, max_tokens: 256, messages, tools }, headers);
  if (first?.status !== 200) return false;
  const content = (JSON.parse(first.text) as { content: { type: string; id?: string }[] }).content;
  const use = content.find((b) => b.type === 'tool_use');
  if (!use?.id) throw new Error(`${spec.name}: expected a tool_use block, got ${first.text.slice(0, 300)}`);
  messages.push(
    { role: 'assistant', content },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'README.md' }] },
  );
  const stream = turn % 2 === 1;
  const second = await post(
    '/v1/messages',
    { model: spec.model, max_tokens: 256, messages, tools, stream },
    headers,
  );
  if (second?.status !== 200) return false;
  if (stream && !second.text.includes('message_stop')) throw new Error(`${spec.name}: stream did not end`);
  return true;
}

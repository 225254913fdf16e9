import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ClawkeepError } from '../errors.js';
import type { ClientApi, ClientConnector } from './types.js';

const PROVIDER_ID = 'clawkeep';

/** The AI SDK package opencode loads for each API. */
const NPM: Record<ClientApi, string> = {
  chat: '@ai-sdk/openai-compatible',
  responses: '@ai-sdk/openai',
  messages: '@ai-sdk/anthropic',
};

/**
 * opencode (`opencode-ai`): a `provider.clawkeep` block in the global `opencode.json` (an AI SDK
 * provider with the gateway's `/v1` base URL and the key) listing the offered models, and the
 * default `model` set to the first of them.
 */
export const opencode: ClientConnector = {
  id: 'opencode',
  title: 'opencode',
  format: 'json',
  apis: ['chat', 'messages', 'responses'],
  configPath: (env, userHome) =>
    env.OPENCODE_CONFIG ||
    join(env.XDG_CONFIG_HOME || join(userHome, '.config'), 'opencode', 'opencode.json'),
  checkConfigPath(path) {
    const jsonc = join(dirname(path), 'opencode.jsonc');
    if (path.endsWith('opencode.json') && !existsSync(path) && existsSync(jsonc)) {
      throw new ClawkeepError(
        'usage',
        `${jsonc} holds opencode's config (JSONC); not editing it. Add the block from \`clawkeep connect opencode --print\` by hand, or pass --config`,
        { details: { path: jsonc } },
      );
    }
  },
  settings: (o) => [
    {
      path: ['provider', PROVIDER_ID],
      value: {
        npm: NPM[o.api],
        name: 'clawkeep',
        options: { baseURL: `${o.gatewayUrl}/v1`, apiKey: o.key },
        models: Object.fromEntries(o.models.map((m) => [m, { name: `${m} (clawkeep)` }])),
      },
    },
    { path: ['model'], value: `${PROVIDER_ID}/${o.models[0]}` },
  ],
  usage: (model) => `run: opencode   (or opencode run -m ${PROVIDER_ID}/${model} "…")`,
};

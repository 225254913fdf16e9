import { join } from 'node:path';
import type { ClientApi, ClientConnector } from './types.js';

const PROVIDER_ID = 'clawkeep';

const API: Record<ClientApi, string> = {
  chat: 'openai-completions',
  responses: 'openai-responses',
  messages: 'anthropic-messages',
};

/**
 * pi (`@mariozechner/pi-coding-agent`): a `providers.clawkeep` entry in `models.json`. pi's
 * Anthropic client appends `/v1/messages` itself, its OpenAI clients want the `/v1` base.
 */
export const pi: ClientConnector = {
  id: 'pi',
  title: 'pi',
  format: 'json',
  apis: ['chat', 'messages', 'responses'],
  configPath: (env, userHome) =>
    join(env.PI_CODING_AGENT_DIR || join(userHome, '.pi', 'agent'), 'models.json'),
  settings: (o) => [
    {
      path: ['providers', PROVIDER_ID],
      value: {
        baseUrl: o.api === 'messages' ? o.gatewayUrl : `${o.gatewayUrl}/v1`,
        api: API[o.api],
        apiKey: o.key,
        models: o.models.map((id) => ({ id, name: `${id} (clawkeep)` })),
      },
    },
  ],
  usage: (model) => `run: pi --provider ${PROVIDER_ID} --model ${model}`,
};

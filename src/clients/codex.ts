import { join } from 'node:path';
import type { ClientConnector } from './types.js';

export const PROVIDER_ID = 'clawkeep';

/**
 * Codex CLI (`@openai/codex`): a `model_providers.clawkeep` entry speaking the Responses API, made the
 * active `model_provider`. The key rides in `experimental_bearer_token`, so no shell variable is needed.
 * With `--limits`, `chatgpt_base_url` sends Codex's ChatGPT-backend reads, `/status`'s `wham/usage`
 * among them, to the gateway: Codex makes them only when signed in with ChatGPT, with that login's
 * own access token (never the bearer token above), which the gateway answers when it holds that
 * login. Opt-in: the gateway serves no other ChatGPT-backend path, so Codex Cloud and the remote
 * plugin list stop working while it is set.
 */
export const codex: ClientConnector = {
  id: 'codex',
  title: 'Codex CLI',
  format: 'toml',
  apis: ['responses'],
  configPath: (env, userHome) => join(env.CODEX_HOME || join(userHome, '.codex'), 'config.toml'),
  settings: (o) => [
    {
      path: ['model_providers', PROVIDER_ID],
      value: {
        name: 'clawkeep',
        base_url: `${o.gatewayUrl}/v1`,
        wire_api: 'responses',
        experimental_bearer_token: o.key,
      },
    },
    { path: ['model_provider'], value: PROVIDER_ID },
    ...(o.limits ? [{ path: ['chatgpt_base_url'], value: `${o.gatewayUrl}/backend-api/` }] : []),
    ...(o.model ? [{ path: ['model'], value: o.model }] : []),
  ],
  usage: () => 'run: codex   (or codex exec "…"); every model call now goes to the clawkeep gateway',
};

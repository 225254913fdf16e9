import { ClawkeepError } from '../errors.js';
import { createLinkedSources } from '../linked/index.js';
import { getProvider } from '../providers/registry.js';
import { formatProfileId } from '../store/profile-id.js';
import type { Profile, Store } from '../store/types.js';
import { loginWithBrowser } from './browser-flow.js';
import { loginProviders } from './callback-spec.js';
import { loginWithDevice } from './device-flow.js';
import { describeLoginModes, loginModes } from './modes.js';
import { type SaveAction, saveLoginAndLink } from './save-login.js';
import type { LoginUi } from './ui.js';

export interface LoginRequest {
  provider: string;
  /** The profile name; the id is `<provider>:<name>`. */
  name: string;
  device: boolean;
  force: boolean;
  timeoutMs: number;
  openBrowser: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * `models auth login`: checks the provider can sign in that way, runs the login, then opens the
 * store (only once the tokens are in hand, so a long login holds no store open) and saves the
 * credential under `<provider>:<name>`, writing it back to the profile's linked sources.
 */
export async function loginAndSave(
  r: LoginRequest,
  ui: LoginUi,
  useStore: <T>(fn: (store: Store) => Promise<T>) => Promise<T>,
): Promise<{ profile: Profile; action: SaveAction; warnings: string[] }> {
  const provider = getProvider(r.provider);
  if (!loginProviders().includes(provider.id)) {
    throw new ClawkeepError(
      'usage',
      `${provider.id} has no OAuth login; supported: ${loginProviders().join(', ')}`,
    );
  }
  const modes = loginModes(provider.id, r.env);
  if (r.device && !modes.includes('device')) {
    throw new ClawkeepError('usage', `${provider.id} has no device-code login`, {
      hint: `its login modes: ${describeLoginModes(modes)}`,
    });
  }
  const id = formatProfileId(provider.id, r.name);
  const options = {
    provider,
    timeoutMs: r.timeoutMs,
    openBrowser: r.openBrowser,
    ...(r.env ? { env: r.env } : {}),
  };
  const tokens = r.device ? await loginWithDevice(options, ui) : await loginWithBrowser(options, ui);
  return useStore((store) =>
    saveLoginAndLink(store, createLinkedSources(store), id, tokens, { force: r.force }),
  );
}

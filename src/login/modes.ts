import { getProvider, resolveOAuthEndpoints } from '../providers/registry.js';
import { loginProviders } from './callback-spec.js';

export type LoginMode = 'browser' | 'device';

const DESCRIBE: Record<LoginMode, string> = {
  browser: 'browser (PKCE; on a host without a browser, paste the address it ends on)',
  device: 'device (enter a code on another device: --device)',
};

/**
 * How one can sign in to a provider: browser when it has a registered callback, device when it has
 * a device login of its own (OpenAI's; CLAWKEEP_<P>_DEVICE_URL only moves it, e.g. to the emulator).
 */
export function loginModes(providerId: string, env: NodeJS.ProcessEnv = process.env): LoginMode[] {
  const modes: LoginMode[] = [];
  if (loginProviders().includes(providerId)) modes.push('browser');
  const p = getProvider(providerId);
  if (p.oauth?.defaults.deviceUrl && resolveOAuthEndpoints(p, env).deviceUrl) modes.push('device');
  return modes;
}

export function describeLoginModes(modes: LoginMode[]): string {
  return modes.length === 0 ? 'none (it uses API keys)' : modes.map((m) => DESCRIBE[m]).join('; ');
}

import { resolveOAuthEndpoints } from '../providers/registry.js';
import type { RotatedTokens } from '../store/types.js';
import { pollDeviceLogin, startDeviceLogin } from './device.js';
import type { LoginOptions, LoginUi } from './ui.js';

/** RFC 8628 device-code login: show the code and the page, poll until approved or timed out. */
export async function loginWithDevice(o: LoginOptions, ui: LoginUi): Promise<RotatedTokens> {
  const ep = resolveOAuthEndpoints(o.provider, o.env);
  const fetchOpt = o.fetch ? { fetch: o.fetch } : {};
  const start = await startDeviceLogin(o.provider, ep, fetchOpt);
  ui.showDevice(start);
  if (o.openBrowser) ui.openBrowser(start.verificationUriComplete ?? start.verificationUri);
  const spinner = ui.waiting(`waiting for approval of code ${start.userCode}`);
  try {
    return await pollDeviceLogin(o.provider, ep, start, { deadline: Date.now() + o.timeoutMs, ...fetchOpt });
  } finally {
    spinner.stop();
  }
}

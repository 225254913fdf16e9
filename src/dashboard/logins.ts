import { randomBytes } from 'node:crypto';
import type { LinkedSources } from '../broker/linked.js';
import { ClawkeepError, isClawkeepError } from '../errors.js';
import { loginProviders, loginWithBrowser, loginWithDevice, saveLoginAndLink } from '../login/index.js';
import type { LoginUi } from '../login/ui.js';
import { getProvider } from '../providers/registry.js';
import { formatProfileId } from '../store/profile-id.js';
import type { Store } from '../store/types.js';

/** What the page shows of a login in progress: codes and links, never a token. */
export interface LoginState {
  id: string;
  profileId: string;
  mode: 'device' | 'browser';
  phase: 'starting' | 'device' | 'authorize' | 'done' | 'failed';
  userCode: string | null;
  verificationUri: string | null;
  authorizeUrl: string | null;
  warnings: string[];
  error: { code: string; message: string } | null;
  result: { action: string; generation: number } | null;
}

interface Running {
  state: LoginState;
  paste: ((line: string) => void) | null;
  finishedAt: number | null;
}

const LOGIN_TIMEOUT_MS = 10 * 60_000;

/**
 * Logins started from the dashboard: the same device-code and PKCE flows the CLI runs
 * (`login/`), with the page as their user interface, saved and linked by the same `saveLoginAndLink`.
 */
export class WebLogins {
  #store: Store;
  #linked: LinkedSources | undefined;
  #env: NodeJS.ProcessEnv;
  #all = new Map<string, Running>();

  constructor(o: { store: Store; linked?: LinkedSources; env: NodeJS.ProcessEnv }) {
    this.#store = o.store;
    this.#linked = o.linked;
    this.#env = o.env;
  }

  start(o: { provider: string; name: string; mode: 'device' | 'browser'; force: boolean }): LoginState {
    const provider = getProvider(o.provider);
    if (!loginProviders().includes(provider.id)) {
      throw new ClawkeepError(
        'usage',
        `${provider.id} has no OAuth login; supported: ${loginProviders().join(', ')}`,
      );
    }
    const profileId = formatProfileId(provider.id, o.name);
    this.#sweep();
    const run: Running = {
      state: {
        id: randomBytes(12).toString('base64url'),
        profileId,
        mode: o.mode,
        phase: 'starting',
        userCode: null,
        verificationUri: null,
        authorizeUrl: null,
        warnings: [],
        error: null,
        result: null,
      },
      paste: null,
      finishedAt: null,
    };
    this.#all.set(run.state.id, run);
    const ui: LoginUi = {
      showAuthorizeUrl(url) {
        run.state.phase = 'authorize';
        run.state.authorizeUrl = url;
      },
      showDevice(d) {
        run.state.phase = 'device';
        run.state.userCode = d.userCode;
        run.state.verificationUri = d.verificationUriComplete ?? d.verificationUri;
      },
      openBrowser() {},
      waiting: () => ({ stop() {} }),
      warn(text) {
        run.state.warnings.push(text);
      },
      listenForPaste(onLine) {
        run.paste = onLine;
        return () => {
          run.paste = null;
        };
      },
    };
    const options = { provider, timeoutMs: LOGIN_TIMEOUT_MS, openBrowser: false, env: this.#env };
    const flow = o.mode === 'device' ? loginWithDevice(options, ui) : loginWithBrowser(options, ui);
    flow
      .then(async (tokens) => {
        const { profile, action, warnings } = await saveLoginAndLink(
          this.#store,
          this.#linked,
          profileId,
          tokens,
          { force: o.force },
        );
        run.state.warnings.push(...warnings);
        run.state.result = { action, generation: profile.generation };
        run.state.phase = 'done';
      })
      .catch((err: unknown) => {
        run.state.phase = 'failed';
        run.state.error = isClawkeepError(err)
          ? { code: err.code, message: err.message }
          : { code: 'login_failed', message: (err as Error).message };
      })
      .finally(() => {
        run.finishedAt = Date.now();
      });
    return run.state;
  }

  get(id: string): LoginState | null {
    return this.#all.get(id)?.state ?? null;
  }

  /** Hands a pasted redirect URL or code to a waiting PKCE login. */
  paste(id: string, value: string): LoginState {
    const run = this.#all.get(id);
    if (!run) throw new ClawkeepError('usage', `no login ${id} in progress; start it again`);
    if (!run.paste) {
      throw new ClawkeepError(
        'usage',
        `login ${id} is not waiting for a pasted code (phase ${run.state.phase})`,
      );
    }
    run.paste(value);
    return run.state;
  }

  #sweep(): void {
    const cutoff = Date.now() - LOGIN_TIMEOUT_MS;
    for (const [k, r] of this.#all) if (r.finishedAt !== null && r.finishedAt < cutoff) this.#all.delete(k);
  }
}

import { ClawkeepError } from '../errors.js';
import { resolveOAuthEndpoints } from '../providers/registry.js';
import type { ProviderDescriptor } from '../providers/types.js';
import type { RotatedTokens } from '../store/types.js';
import { type CallbackServer, startCallbackServer } from './callback-server.js';
import { callbackSpec } from './callback-spec.js';
import { exchangeCode } from './exchange.js';
import { parsePastedAuthorization } from './paste.js';
import { createPkce } from './pkce.js';
import type { LoginOptions, LoginUi } from './ui.js';

/**
 * Authorization code + PKCE (S256) with a loopback callback. The URL is always shown; the user may
 * instead paste the redirect URL or code. Resolves with the tokens, never stores them.
 */
export async function loginWithBrowser(o: LoginOptions, ui: LoginUi): Promise<RotatedTokens> {
  const ep = resolveOAuthEndpoints(o.provider, o.env);
  if (!ep.authorizeUrl) {
    throw new ClawkeepError('config_invalid', `provider ${o.provider.id} has no authorize URL configured`);
  }
  const spec = callbackSpec(o.provider.id, o.env);
  const pkce = await createPkce();
  const server = await startCallbackServer({
    ports: spec.ports,
    path: spec.path,
    state: pkce.state,
    onRejected: (why) => ui.warn(why),
  });
  const redirectUri = server?.redirectUri ?? spec.fallbackRedirect;
  if (!server) {
    ui.warn(`ports ${spec.ports.join(', ')} are taken: paste the address the browser ends on instead`);
  }
  const url = buildAuthorizeUrl(
    o.provider,
    ep.authorizeUrl,
    ep.clientId,
    redirectUri,
    pkce,
    spec.extraParams,
  );
  ui.showAuthorizeUrl(url, { callback: server?.redirectUri ?? null });
  if (o.openBrowser) ui.openBrowser(url);
  const spinner = ui.waiting(
    server
      ? `waiting for the browser on ${server.redirectUri} (or paste the redirect URL / code)`
      : 'paste the redirect URL or code',
  );
  try {
    const code = await waitForCode(server, pkce.state, o.timeoutMs, ui);
    spinner.stop();
    return await exchangeCode(
      o.provider,
      ep,
      { code, verifier: pkce.verifier, redirectUri, state: pkce.state },
      { ...(o.fetch ? { fetch: o.fetch } : {}) },
    );
  } finally {
    spinner.stop();
    server?.close();
  }
}

function buildAuthorizeUrl(
  provider: ProviderDescriptor,
  authorizeUrl: string,
  clientId: string,
  redirectUri: string,
  pkce: { challenge: string; state: string },
  extra: Record<string, string>,
): string {
  const url = new URL(authorizeUrl);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: provider.oauth!.scope,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    state: pkce.state,
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** The first of: a callback with the right state, a pasted code (its state checked), the timeout. */
function waitForCode(
  server: CallbackServer | null,
  state: string,
  timeoutMs: number,
  ui: LoginUi,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      done();
      reject(
        new ClawkeepError(
          'login_timeout',
          `no login arrived within ${Math.round(timeoutMs / 1000)} s; run the command again (--timeout S waits longer)`,
        ),
      );
    }, timeoutMs);
    const unsubscribe = ui.listenForPaste(
      (line) => {
        const pasted = parsePastedAuthorization(line);
        if (!pasted.code) return;
        if (pasted.state !== null && pasted.state !== state) {
          done();
          reject(
            new ClawkeepError(
              'login_failed',
              'the pasted redirect carries a state that does not match this login (an old or foreign link); nothing was stored',
            ),
          );
          return;
        }
        done();
        resolve(pasted.code);
      },
      (cancelled) => {
        if (server && !cancelled) return;
        done();
        reject(
          cancelled
            ? new ClawkeepError('login_failed', 'login cancelled: input ended (Ctrl-D); nothing was stored')
            : new ClawkeepError('login_failed', 'no callback port was free and nothing was pasted on stdin'),
        );
      },
    );
    server?.code.then(
      (code) => {
        done();
        resolve(code);
      },
      (err: unknown) => {
        done();
        reject(err);
      },
    );
    function done() {
      clearTimeout(timer);
      unsubscribe();
    }
  });
}

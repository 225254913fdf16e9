import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { createSpinner } from 'nanospinner';
import pc from 'picocolors';
import { loginCommand } from '../../broker/errors.js';
import { ClawkeepError } from '../../errors.js';
import { formatQuotaCell, type QuotaView, viewQuotas } from '../../gateway/quota/view.js';
import { createLinkedSources } from '../../linked/index.js';
import {
  type DeviceStart,
  type LoginUi,
  loginProviders,
  loginWithBrowser,
  loginWithDevice,
  saveLogin,
} from '../../login/index.js';
import { getProvider } from '../../providers/registry.js';
import { formatProfileId } from '../../store/profile-id.js';
import { type ProfileView, viewProfile } from '../../store/profile-view.js';
import type { LinkedSourceRef, Profile } from '../../store/types.js';
import { type GlobalOptions, withStore } from '../context.js';
import { formatCountdown, formatTable, type Io, printJson, statusMark } from '../output.js';

interface LoginFlags {
  provider: string;
  name: string;
  device?: boolean;
  force?: boolean;
  timeout: string;
  browser: boolean;
}

export function registerModels(program: Command, io: Io, setExit: (code: number) => void): void {
  const g = (): GlobalOptions => program.opts<GlobalOptions>();
  const models = program.command('models').description('sign in to model providers and see their state');
  const auth = models.command('auth').description('provider logins');

  auth
    .command('login')
    .description('sign in with OAuth (browser + PKCE, or --device) and store the credential')
    .requiredOption('--provider <provider>', loginProviders().join(' | '))
    .option('--name <name>', 'profile name', 'default')
    .option('--device', 'use the device-code flow (no local browser needed)')
    .option('--force', 'replace a profile that holds another account')
    .option('--timeout <seconds>', 'give up waiting after this long', '300')
    .option('--no-browser', 'do not try to open a browser; just print the URL')
    .action(async (o: LoginFlags) => {
      const provider = getProvider(o.provider);
      if (!loginProviders().includes(provider.id)) {
        throw new ClawkeepError(
          'usage',
          `${provider.id} has no OAuth login; supported: ${loginProviders().join(', ')}`,
        );
      }
      const id = formatProfileId(provider.id, o.name);
      const timeoutS = Number(o.timeout);
      if (!(timeoutS > 0)) throw new ClawkeepError('usage', `--timeout must be a positive number of seconds`);
      const options = { provider, timeoutMs: timeoutS * 1000, openBrowser: o.browser && hasBrowser() };
      const ui = cliLoginUi(io);
      const tokens = o.device ? await loginWithDevice(options, ui) : await loginWithBrowser(options, ui);
      await withStore(io, g(), async (store) => {
        const { profile, action } = await saveLogin(store, id, tokens, { force: Boolean(o.force) });
        try {
          await createLinkedSources(store).writeBack(profile);
        } catch (err) {
          io.err(`warning: ${(err as Error).message}`);
        }
        const who = [profile.email, profile.accountId && `account ${profile.accountId}`].filter(Boolean);
        io.out(
          `signed in${who.length ? ` as ${who.join(', ')}` : ''}: ${action} ${profile.id} (generation ${profile.generation}, expires ${formatCountdown(secondsLeft(profile))})`,
        );
      });
    });

  models
    .command('status')
    .description(
      'every profile: provider, account, type, status, expiry, last rotation, quota windows, fix (exit 1 if any needs attention)',
    )
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      await withStore(io, g(), async (store) => {
        const [profiles, links, quotaRows] = await Promise.all([
          store.listProfiles(),
          store.listLinkedSources(),
          store.listQuotas(),
        ]);
        const quotas = viewQuotas(quotaRows, Date.now());
        const rows = profiles.map((p) => describeStatus(p, links, quotas.get(p.id) ?? null, Date.now()));
        if (rows.some((r) => r.status !== 'ok')) setExit(1);
        if (o.json) return printJson(io, rows);
        if (rows.length === 0) {
          return io.out('no profiles yet; sign in with: clawkeep models auth login --provider openai-codex');
        }
        io.out(
          formatTable(
            [
              'PROFILE',
              'PROVIDER',
              'ACCOUNT',
              'TYPE',
              'STATUS',
              'EXPIRES',
              'LAST ROTATION',
              'LINKED',
              'QUOTA',
            ],
            rows.map((r) => [
              r.id,
              r.provider,
              r.email ?? r.accountId ?? '-',
              r.type,
              r.status === 'ok'
                ? statusMark('ok')
                : `${statusMark(r.status)} ${pc.dim(`[${r.statusReason ?? '-'}]`)}`,
              formatCountdown(r.expiresInSeconds),
              r.rotatedAt === null ? 'never' : formatAgo(Date.now() - r.rotatedAt),
              String(r.linkedSources.length),
              formatQuotaCell(r.quota ?? undefined),
            ]),
          ),
        );
        for (const r of rows) if (r.fix) io.out(`${pc.yellow('fix')} ${r.id}: ${r.fix}`);
      });
    });
}

/** A profile as `models status` shows it: the listing view plus its linked sources and fix command. */
interface StatusRow extends ProfileView {
  linkedSources: { kind: string; location: string }[];
  /** The login's quota windows as the gateway last saw them; null before any request. */
  quota: QuotaView | null;
  fix: string | null;
}

function describeStatus(
  p: Profile,
  links: LinkedSourceRef[],
  quota: QuotaView | null,
  now: number,
): StatusRow {
  return {
    quota,
    ...viewProfile(p, now),
    linkedSources: links
      .filter((l) => l.profileId === p.id)
      .map((l) => ({ kind: l.kind, location: l.location })),
    fix: fixCommand(p),
  };
}

function fixCommand(p: Profile): string | null {
  if (p.status === 'disabled') return `clawkeep profiles enable ${p.id}`;
  if (p.status !== 'needs_reauth') return null;
  if (loginProviders().includes(p.provider)) return loginCommand(p);
  return p.type === 'oauth'
    ? `clawkeep profiles add-oauth --provider ${p.provider} --name ${p.name} --force`
    : `clawkeep profiles add-key --provider ${p.provider} --name ${p.name} --force`;
}

function secondsLeft(p: Profile): number | null {
  return p.expires === null ? null : Math.round((p.expires - Date.now()) / 1000);
}

function formatAgo(ms: number): string {
  return `${formatCountdown(Math.round(ms / 1000)).replace(/^in /, '')} ago`;
}

/** False on headless hosts and in CI, where opening a browser cannot work or must not happen. */
function hasBrowser(env = process.env): boolean {
  if (env.CI || env.CLAWKEEP_NO_BROWSER) return false;
  if (process.platform === 'linux') return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  return !(env.SSH_CONNECTION || env.SSH_TTY);
}

function cliLoginUi(io: Io): LoginUi {
  return {
    showAuthorizeUrl(url, info) {
      io.out(`Open this URL to sign in:\n\n  ${url}\n`);
      io.out(
        info.callback
          ? `Waiting for the browser to return to ${info.callback}. On another machine? Paste the address the browser ends on (or the code) here.`
          : 'Paste the address the browser ends on (or the code shown) here.',
      );
    },
    showDevice(d: DeviceStart) {
      io.out(`Open ${d.verificationUri} and enter the code:\n\n  ${d.userCode}\n`);
      if (d.verificationUriComplete) io.out(`(or open ${d.verificationUriComplete})`);
    },
    openBrowser(url) {
      import('open')
        .then(({ default: open }) => open(url))
        .then((child) => child.on('error', () => {}))
        .catch(() => {});
    },
    waiting(text) {
      if (!process.stderr.isTTY) {
        io.err(`${text}…`);
        return { stop: () => {} };
      }
      const spinner = createSpinner(text, { stream: process.stderr }).start();
      return { stop: () => spinner.isSpinning() && spinner.clear().stop() };
    },
    warn(text) {
      io.err(`warning: ${text}`);
    },
    listenForPaste(onLine, onEnd) {
      const rl = createInterface({ input: io.stdin, terminal: false });
      let open = true;
      rl.on('line', (line) => open && onLine(line));
      rl.on('close', () => open && onEnd());
      return () => {
        if (!open) return;
        open = false;
        rl.close();
        io.stdin.pause();
        // A pipe left open by the caller must not keep the process alive once the login is done.
        (io.stdin as { unref?: () => void }).unref?.();
      };
    },
  };
}

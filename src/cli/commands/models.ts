import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { createSpinner } from 'nanospinner';
import pc from 'picocolors';
import { ClawkeepError } from '../../errors.js';
import { formatQuotaCell, viewQuotas } from '../../gateway/quota/view.js';
import { createLinkedSources } from '../../linked/index.js';
import {
  type DeviceStart,
  describeLoginModes,
  type LoginUi,
  loginModes,
  loginProviders,
  loginWithBrowser,
  loginWithDevice,
  saveLoginAndLink,
} from '../../login/index.js';
import { describeStatus } from '../../profiles/status.js';
import { getProvider } from '../../providers/registry.js';
import { formatProfileId } from '../../store/profile-id.js';
import type { Profile } from '../../store/types.js';
import { invokedAs } from '../../util/invoked-as.js';
import { hasBrowser, openInBrowser } from '../browser.js';
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
    .option(
      '--device',
      'use the device-code flow, for providers that have one (none of the built-in ones by default; CLAWKEEP_<PROVIDER>_DEVICE_URL adds it)',
    )
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
      const modes = loginModes(provider.id);
      if (o.device && !modes.includes('device')) {
        throw new ClawkeepError('usage', `${provider.id} has no device-code login`, {
          hint: `its login modes: ${describeLoginModes(modes)}`,
        });
      }
      const id = formatProfileId(provider.id, o.name);
      const timeoutS = Number(o.timeout);
      if (!(timeoutS > 0)) throw new ClawkeepError('usage', `--timeout must be a positive number of seconds`);
      const options = { provider, timeoutMs: timeoutS * 1000, openBrowser: o.browser && hasBrowser() };
      const ui = cliLoginUi(io);
      const tokens = o.device ? await loginWithDevice(options, ui) : await loginWithBrowser(options, ui);
      await withStore(io, g(), async (store) => {
        const { profile, action, warnings } = await saveLoginAndLink(
          store,
          createLinkedSources(store),
          id,
          tokens,
          { force: Boolean(o.force) },
        );
        for (const w of warnings) io.err(`warning: ${w}`);
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
        const rows = profiles.map((p) => describeStatus(p, links, Date.now(), quotas.get(p.id) ?? null));
        if (rows.some((r) => r.status !== 'ok')) setExit(1);
        if (o.json) return printJson(io, rows);
        if (rows.length === 0) {
          return io.out(
            `no profiles yet; sign in with: ${invokedAs()} models auth login --provider openai-codex`,
          );
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

function secondsLeft(p: Profile): number | null {
  return p.expires === null ? null : Math.round((p.expires - Date.now()) / 1000);
}

function formatAgo(ms: number): string {
  return `${formatCountdown(Math.round(ms / 1000)).replace(/^in /, '')} ago`;
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
      openInBrowser(url);
    },
    waiting(text) {
      // nanospinner 1.2 loops forever computing line wraps on a 0-column terminal: no spinner there.
      if (!process.stderr.isTTY || !(process.stderr.columns > 0)) {
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
      rl.on('close', () => open && onEnd(io.isTTY));
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

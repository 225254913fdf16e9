import type { Command } from 'commander';
import pc from 'picocolors';
import { ClawkeepError } from '../../errors.js';
import { formatQuotaCell, viewQuotas } from '../../gateway/quota/view.js';
import { describeLoginModes, loginAndSave, loginModes, loginProviders } from '../../login/index.js';
import { describeStatus } from '../../profiles/status.js';
import { mayServe, servesWhom, subscriptionRule } from '../../providers/serving-policy.js';
import type { Profile } from '../../store/types.js';
import { invokedAs } from '../../util/invoked-as.js';
import { hasBrowser } from '../browser.js';
import { type GlobalOptions, withStore } from '../context.js';
import { createCliLoginUi } from '../login-ui.js';
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
    .requiredOption(
      '--provider <provider>',
      loginProviders()
        .map((id) => `${id} (${loginModes(id, {}).join(', ')})`)
        .join(' | '),
    )
    .option('--name <name>', 'profile name', 'default')
    .option(
      '--device',
      `enter a code on another device instead of a browser sign-in; only for ${loginProviders()
        .filter((id) => loginModes(id, {}).includes('device'))
        .join(', ')}`,
    )
    .option('--force', 'replace a profile that holds another account')
    .option('--timeout <seconds>', 'give up waiting after this long', '300')
    .option('--no-browser', 'do not try to open a browser; just print the URL')
    .addHelpText(
      'after',
      `\nLogin modes:\n${loginProviders()
        .map((id) => `  ${id}: ${describeLoginModes(loginModes(id, {}))}`)
        .join('\n')}`,
    )
    .action(async (o: LoginFlags) => {
      const timeoutS = Number(o.timeout);
      if (!(timeoutS > 0)) throw new ClawkeepError('usage', `--timeout must be a positive number of seconds`);
      const { profile, action, warnings } = await loginAndSave(
        {
          provider: o.provider,
          name: o.name,
          device: Boolean(o.device),
          force: Boolean(o.force),
          timeoutMs: timeoutS * 1000,
          openBrowser: o.browser && hasBrowser(),
        },
        createCliLoginUi(io),
        (fn) => withStore(io, g(), fn),
      );
      for (const w of warnings) io.err(`warning: ${w}`);
      const who = [profile.email, profile.accountId && `account ${profile.accountId}`].filter(Boolean);
      io.out(
        `signed in${who.length ? ` as ${who.join(', ')}` : ''}: ${action} ${profile.id} (generation ${profile.generation}, expires ${formatCountdown(secondsLeft(profile))})`,
      );
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
        // The serving policy: a subscription login serves only its vendor's apps and opted-in clients.
        const clients = await store.listClients();
        for (const p of profiles.filter((x) => subscriptionRule(x) !== null)) {
          const names = clients.filter((c) => mayServe(p, c)).map((c) => c.name);
          io.out(
            `${p.id} serves ${servesWhom(p)}: ${names.length > 0 ? names.join(', ') : 'no client key yet'}`,
          );
        }
      });
    });
}

function secondsLeft(p: Profile): number | null {
  return p.expires === null ? null : Math.round((p.expires - Date.now()) / 1000);
}

function formatAgo(ms: number): string {
  return `${formatCountdown(Math.round(ms / 1000)).replace(/^in /, '')} ago`;
}

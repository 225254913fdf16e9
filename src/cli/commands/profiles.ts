import type { Command } from 'commander';
import pc from 'picocolors';
import { ClawkeepError } from '../../errors.js';
import { parseOAuthInput } from '../../profiles/oauth-input.js';
import { getProvider } from '../../providers/registry.js';
import {
  backupsDir,
  removeProfileWithBackup,
  requireProfile,
  saveProfile,
  setProfileEnabled,
} from '../../store/profile-admin.js';
import { formatProfileId } from '../../store/profile-id.js';
import { viewProfile } from '../../store/profile-view.js';
import { invokedAs } from '../../util/invoked-as.js';
import { confirmOrYes } from '../confirm.js';
import { type GlobalOptions, withStore } from '../context.js';
import { formatCountdown, formatTable, type Io, printJson, statusMark } from '../output.js';
import { formatProfileDetails } from '../profile-details.js';
import { readAll, readSecret } from '../stdin.js';

export function registerProfiles(program: Command, io: Io, setExit: (code: number) => void): void {
  const g = (): GlobalOptions => program.opts<GlobalOptions>();
  const profiles = program
    .command('profiles')
    .description('list, inspect, add and remove stored credentials');

  profiles
    .command('list')
    .description('every profile with status, fingerprints and expiry (exit 1 if any needs attention)')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      await withStore(io, g(), async (store) => {
        const now = Date.now();
        const views = (await store.listProfiles()).map((p) => viewProfile(p, now));
        if (views.some((v) => v.status !== 'ok')) setExit(1);
        if (o.json) return printJson(io, views);
        if (views.length === 0)
          return io.out(`no profiles yet; add one with: ${invokedAs()} profiles add-key / add-oauth`);
        io.out(
          formatTable(
            ['PROFILE', 'TYPE', 'ACCOUNT', 'STATUS', 'GEN', 'ACCESS', 'REFRESH', 'EXPIRES'],
            views.map((v) => [
              v.id,
              v.type,
              v.email ?? v.accountId ?? '-',
              v.status === 'ok'
                ? statusMark('ok')
                : `${statusMark(v.status)} ${pc.dim(`[${v.statusReason ?? '-'}]`)}`,
              String(v.generation),
              v.accessFp,
              v.refreshFp,
              formatCountdown(v.expiresInSeconds),
            ]),
          ),
        );
      });
    });

  profiles
    .command('show <id>')
    .description('one profile in detail (never its tokens)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { json?: boolean }) => {
      await withStore(io, g(), async (store) => {
        const p = await requireProfile(store, id);
        const v = viewProfile(p, Date.now());
        if (v.status !== 'ok') setExit(1);
        if (o.json) return printJson(io, v);
        for (const line of formatProfileDetails(v, Date.now())) io.out(line);
      });
    });

  profiles
    .command('add-key')
    .description('store an API key (read from stdin or a hidden prompt, never from argv)')
    .requiredOption('--provider <provider>', 'e.g. openai, anthropic, openai-compatible')
    .requiredOption('--name <name>', 'profile name, e.g. default')
    .option('--force', 'replace an existing profile of that id')
    .action(async (o: { provider: string; name: string; force?: boolean }) => {
      getProvider(o.provider);
      const id = formatProfileId(o.provider, o.name);
      const key = await readSecret(io, 'API key');
      await withStore(io, g(), async (store) => {
        const p = await saveProfile(store, { id, type: 'api_key', access: key }, { force: Boolean(o.force) });
        io.out(`stored ${p.id} (api_key, generation ${p.generation})`);
      });
    });

  profiles
    .command('add-oauth')
    .description(
      'store OAuth tokens given as {"access","refresh","expires"} JSON on stdin (scripted provisioning)',
    )
    .requiredOption('--provider <provider>', 'openai-codex, anthropic or oidc')
    .requiredOption('--name <name>', 'profile name, e.g. default')
    .option('--force', 'replace an existing profile: generation +1, clears needs_reauth')
    .action(async (o: { provider: string; name: string; force?: boolean }) => {
      const provider = getProvider(o.provider);
      if (!provider.oauth) {
        throw new ClawkeepError(
          'usage',
          `provider ${o.provider} has no OAuth; use: ${invokedAs()} profiles add-key`,
        );
      }
      const id = formatProfileId(o.provider, o.name);
      const { input, notices } = parseOAuthInput(id, o.provider, await readAll(io.stdin));
      for (const n of notices) io.err(`notice: ${n}`);
      await withStore(io, g(), async (store) => {
        const p = await saveProfile(store, input, { force: Boolean(o.force) });
        io.out(
          `stored ${p.id} (oauth, generation ${p.generation}, refresh ${viewProfile(p, Date.now()).refreshFp})`,
        );
      });
    });

  profiles
    .command('rm <id>')
    .description('remove a profile after writing a 0600 backup of it under <home>/backups')
    .option('--yes', 'do not ask for confirmation')
    .action(async (id: string, o: { yes?: boolean }) => {
      await withStore(io, g(), async (store, home) => {
        const p = await requireProfile(store, id);
        const sure = await confirmOrYes(io, {
          yes: o.yes,
          what: `removing ${id}`,
          question: `Remove ${id}${p.email ? ` (${p.email})` : ''}? A 0600 backup is kept under ${backupsDir(home)}`,
        });
        if (!sure) return io.out(`nothing removed; ${id} is kept`);
        const backup = await removeProfileWithBackup(store, home, p);
        io.out(`removed ${id}; backup: ${backup}`);
      });
    });

  for (const [cmd, status] of [
    ['enable', 'ok'],
    ['disable', 'disabled'],
  ] as const) {
    profiles
      .command(`${cmd} <id>`)
      .description(`${cmd} a profile (disabled profiles are never used or refreshed)`)
      .action(async (id: string) => {
        await withStore(io, g(), async (store) => {
          await setProfileEnabled(store, id, status === 'ok');
          io.out(`${id}: ${status}`);
        });
      });
  }
}

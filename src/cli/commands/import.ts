import { confirm } from '@inquirer/prompts';
import type { Command } from 'commander';
import pc from 'picocolors';
import { ClawkeepError } from '../../errors.js';
import { configureOpenClawAgents, gatewayUrlFor } from '../../import/configure-openclaw.js';
import {
  applyImport,
  CLIENT_KEY_PLACEHOLDER,
  checkOpenClawConfigWritable,
  claudeHome,
  codexHome,
  type ImportPlan,
  type ImportSource,
  openclawConfigPath,
  openclawGatewayConfig,
  openclawHomes,
  piHome,
  planImport,
  readClaudeSource,
  readCodexSource,
  readOpenClawSource,
  readPiSource,
} from '../../import/index.js';
import type { Store } from '../../store/types.js';
import { invokedAs } from '../../util/invoked-as.js';
import { type GlobalOptions, withStore } from '../context.js';
import { formatTable, type Io } from '../output.js';

interface ImportFlags {
  name?: string;
  yes?: boolean;
  move?: boolean;
}

const OWNERSHIP_LINKED =
  "Each source stays a linked source: clawkeep writes every rotation back to it in its own format, so that tool keeps working, and adopts that tool's newer tokens instead of presenting a spent one.";
const OWNERSHIP_MOVE =
  'With --move: each source is archived (0600 backup beside it) and the login removed from it, so only clawkeep holds the token.';

export function registerImport(program: Command, io: Io, _setExit: (code: number) => void): void {
  const g = (): GlobalOptions => program.opts<GlobalOptions>();
  const cmd = program
    .command('import')
    .description(
      'take ownership of logins other tools hold (plan, confirm, import; all or nothing per source)',
    );

  const common = (c: Command) =>
    c
      .option('--name <name>', 'profile name for a new account (default: default, else the source name)')
      .option('--move', 'archive the source (0600 backup) instead of keeping it as a linked source')
      .option('--yes', 'import without asking');

  common(
    cmd
      .command('codex')
      .description('Codex CLI: <codex home>/auth.json (tokens.refresh_token)')
      .option('--codex-home <dir>', 'default $CODEX_HOME or ~/.codex'),
  ).action(async (o: ImportFlags & { codexHome?: string }) => {
    await runImport(io, g(), await readCodexSource(codexHome(o.codexHome)), o);
  });

  common(
    cmd
      .command('claude')
      .description('Claude Code: <claude dir>/.credentials.json (claudeAiOauth)')
      .option('--claude-home <dir>', 'default $CLAUDE_CONFIG_DIR or ~/.claude'),
  ).action(async (o: ImportFlags & { claudeHome?: string }) => {
    await runImport(io, g(), await readClaudeSource(claudeHome(o.claudeHome)), o);
  });

  common(
    cmd
      .command('pi')
      .description('pi: <pi agent dir>/auth.json (openai-codex and anthropic OAuth entries)')
      .option('--pi-home <dir>', 'default $PI_CODING_AGENT_DIR or ~/.pi/agent'),
  ).action(async (o: ImportFlags & { piHome?: string }) => {
    await runImport(io, g(), await readPiSource(piHome(o.piHome)), o);
  });

  cmd
    .command('openclaw')
    .description(
      'OpenClaw agents, every store era (JSON, per-agent SQLite, shared SQLite), leftovers included',
    )
    .option(
      '--openclaw-home <dir>',
      'state dir (repeatable; default $OPENCLAW_STATE_DIR, ~/.openclaw, ~/.clawdbot)',
      collectDirs,
      [],
    )
    .option('--name <name>', 'profile name for a new account (default: the OpenClaw profile name)')
    .option(
      '--configure',
      "also write OpenClaw's provider config: its agents call the clawkeep gateway with a client key",
    )
    .option(
      '--move',
      "take the logins out of OpenClaw's agent stores (0600 backups kept) so only clawkeep holds them; pair with --configure",
    )
    .option('--yes', 'import without asking')
    .action(async (o: ImportFlags & { openclawHome: string[]; configure?: boolean }) => {
      if (o.move && !o.configure) {
        io.err(
          "note: with --move OpenClaw's agents no longer hold these logins; pass --configure too (or point them at the gateway yourself)",
        );
      }
      const homes = openclawHomes(o.openclawHome);
      if (o.configure) for (const h of homes) checkOpenClawConfigWritable(openclawConfigPath(h));
      await runImport(io, g(), readOpenClawSource(homes), o, (store, home) =>
        configureOpenClaw(io, store, home, homes, Boolean(o.configure)),
      );
    });
}

function collectDirs(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Prints (or with --configure writes) the OpenClaw config that points its agents at the gateway. */
async function configureOpenClaw(
  io: Io,
  store: Store,
  home: string,
  stateDirs: string[],
  write: boolean,
): Promise<void> {
  const url = gatewayUrlFor(home);
  if (!write) {
    io.out(
      `\nTo stop OpenClaw's agents refreshing on their own, point them at the clawkeep gateway (${url}).`,
    );
    io.out(
      `Create a client key with \`${invokedAs()} clients add openclaw\`, then merge into ${stateDirs.map(openclawConfigPath).join(', ')}`,
    );
    io.out('(or re-run with --configure to do both):');
    io.out(JSON.stringify(openclawGatewayConfig(url, CLIENT_KEY_PLACEHOLDER), null, 2));
    return;
  }
  for (const r of await configureOpenClawAgents(store, home, stateDirs)) {
    io.out(
      `configured ${r.path}: provider clawkeep → ${r.url}/v1 with client ${r.client}; agents' primary model is now clawkeep/default` +
        (r.previousPrimary ? ` (was ${r.previousPrimary})` : '') +
        (r.backup ? `; previous file kept as ${r.backup} (0600)` : ''),
    );
  }
  io.out(`Start the gateway with: ${invokedAs()} gateway run`);
}

/** Shows the plan, asks (unless --yes), imports; returns the plan for callers that print more. */
export async function runImport(
  io: Io,
  g: GlobalOptions,
  source: ImportSource,
  o: ImportFlags,
  after?: (store: Store, home: string) => Promise<void>,
): Promise<ImportPlan | null> {
  return withStore(io, g, async (store, home) => {
    const plan = await planImport(store, source, o.name === undefined ? {} : { name: o.name });
    printPlan(io, plan, Boolean(o.move));
    if (!o.yes) {
      if (!io.isTTY) {
        throw new ClawkeepError(
          'usage',
          'nothing imported: confirm with --yes (there is no terminal to ask on)',
        );
      }
      if (!(await confirm({ message: 'Import?', default: true }))) {
        io.out('nothing imported');
        return null;
      }
    }
    const result = await applyImport(store, plan, { move: Boolean(o.move) });
    for (const p of result.profiles) io.out(`${pc.green('✓')} ${p.id} (generation ${p.generation})`);
    if (result.linked > 0) io.out(`linked ${result.linked} source${result.linked === 1 ? '' : 's'}`);
    for (const line of result.archived) io.out(line);
    for (const w of result.warnings) io.err(`warning: ${w}`);
    if (after) await after(store, home);
    return plan;
  });
}

function printPlan(io: Io, plan: ImportPlan, move: boolean): void {
  io.out(`Import from ${plan.source.title}:`);
  io.out(
    formatTable(
      ['ACTION', 'PROFILE', 'ACCOUNT', 'FROM', 'WHY'],
      plan.steps.map((s) => [
        s.action,
        s.profileId,
        s.account,
        `${s.chosen.file} (${s.chosen.label})`,
        s.why,
      ]),
    ),
  );
  for (const n of plan.source.notes) io.out(pc.dim(`note: ${n}`));
  io.out(move ? OWNERSHIP_MOVE : OWNERSHIP_LINKED);
}

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fingerprint } from '../../src/util/fingerprint.js';
import { agentDir, writeAgentSqlite } from '../doctor/state-builder.js';
import { ROOT, runCli, runNode } from '../helpers/processes.js';
import { CliProcess } from './processes.js';
import type { Lane, LaneContext, MintedLogin } from './scenario.js';

const CODEX_SIM = join(ROOT, 'test/linked/codex-cli-sim.mjs');
const ID = 'openai-codex:default';

/**
 * The same Codex login held by two other tools on the machine, as a user has it:
 * - Codex CLI's `auth.json` (imported with `clawkeep import codex`, so a linked source), and Codex CLI
 *   itself (test/linked/codex-cli-sim.mjs: its refresh request and file write) rotating it on its own
 *   every other time clawkeep's rotation lands in the file;
 * - an OpenClaw state dir (the 2026.6 per-agent SQLite era, imported with `clawkeep import openclaw`),
 *   with `clawkeep watch` guarding it for the whole run.
 * At the end all three hold the one live refresh token, and every rotation Codex made was adopted.
 */
export function linkedToolsLane(o: { accessTtlSeconds: number }): Lane {
  const dir = mkdtempSync(join(tmpdir(), 'clawkeep-lifetime-tools-'));
  const codexHome = join(dir, 'codex');
  const authJson = join(codexHome, 'auth.json');
  const state = join(dir, 'openclaw');
  const agentStore = join(state, 'agents/main/agent/openclaw-agent.sqlite');
  const problems: string[] = [];
  const texts: string[] = [];
  let guardian: CliProcess | null = null;
  let codexRotations = 0;
  let clawkeepWrites = 0;

  const cli = async (ctx: Pick<LaneContext, 'home' | 'env'>, args: string[]) => {
    const r = await runCli(ctx.home, args, { env: ctx.env });
    texts.push(...`${r.stdout}\n${r.stderr}`.split('\n'));
    if (r.code !== 0) throw new Error(`clawkeep ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const authRefresh = () =>
    (JSON.parse(readFileSync(authJson, 'utf8')) as { tokens: { refresh_token: string } }).tokens
      .refresh_token;

  return {
    name: 'linked Codex CLI + OpenClaw under watch',
    async prepare(ctx, logins) {
      const login = logins[ID] as MintedLogin;
      writeCodexAuth(codexHome, login);
      agentDir(state, 'main');
      writeAgentSqlite(agentStore, 'main', {
        [ID]: {
          type: 'oauth',
          provider: 'openai-codex',
          access: login.access,
          refresh: login.refresh,
          expires: login.expires,
          accountId: login.accountId,
          email: login.email,
        },
      });
      await cli(ctx, ['import', 'codex', '--codex-home', codexHome, '--yes']);
      await cli(ctx, ['import', 'openclaw', '--openclaw-home', state, '--yes']);
      const show = JSON.parse(await cli(ctx, ['profiles', 'show', ID, '--json'])) as { generation: number };
      ctx.log(`linked ${ID} (generation ${show.generation}) to ${authJson} and ${agentStore}`);
    },
    async run(ctx) {
      guardian = new CliProcess(
        ['--home', ctx.home, 'watch', '--openclaw-home', state, '--settle-ms', '300', '--log-level', 'info'],
        ctx.env,
      );
      let seen = authRefresh();
      const tokenUrl = ctx.env.CLAWKEEP_OPENAI_CODEX_TOKEN_URL!;
      while (ctx.running()) {
        await new Promise((r) => setTimeout(r, 100));
        const now = authRefresh();
        if (now === seen) continue;
        seen = now;
        clawkeepWrites++;
        // Codex rotates right after clawkeep's rotation reached its file, far from clawkeep's next
        // refresh, and not so late that clawkeep has no refresh left in the run to adopt it.
        const roomMs = ctx.endsAt - Date.now();
        if (clawkeepWrites % 2 !== 0 || roomMs < 2.5 * o.accessTtlSeconds * 1000) continue;
        const r = await runNode(CODEX_SIM, [authJson, tokenUrl]);
        if (r.code !== 0) {
          problems.push(`Codex CLI's own refresh failed: ${r.stdout}${r.stderr}`);
          continue;
        }
        codexRotations++;
        seen = authRefresh();
      }
    },
    async finish(ctx) {
      if (guardian) {
        const exit = await guardian.stop('SIGTERM');
        texts.push(...`${guardian.out}\n${guardian.err}`.split('\n'));
        if (exit.code !== 0)
          problems.push(`watch exited ${exit.code ?? exit.signal}: ${guardian.err.slice(-500)}`);
        const errors = guardian.out.split('\n').filter((l) => /^\{"level":(50|60)/.test(l));
        if (errors.length > 0) problems.push(`watch logged errors: ${errors.slice(0, 3).join('\n')}`);
        if (!/clawkeep watch: guarding /.test(guardian.err)) {
          problems.push(`watch never said it was watching: ${guardian.err.slice(-500)}`);
        }
      }
      const held = JSON.parse(await cli(ctx, ['profiles', 'show', ID, '--json'])) as {
        refreshFp: string;
        status: string;
      };
      const copies = {
        'auth.json': fingerprint(authRefresh()),
        'OpenClaw store': fingerprint(openClawRefresh(agentStore)),
      };
      for (const [where, fp] of Object.entries(copies)) {
        if (fp !== held.refreshFp)
          problems.push(`${where} holds refresh ${fp}, clawkeep holds ${held.refreshFp}`);
      }
      if (held.status !== 'ok') problems.push(`${ID} ended ${held.status}`);
      rmSync(dir, { recursive: true, force: true });
    },
    report() {
      return {
        figures: `clawkeep rotations written to auth.json ${clawkeepWrites}, Codex CLI's own rotations ${codexRotations}`,
        problems,
        texts,
        externalRotations: codexRotations,
      };
    },
  };
}

/** `$CODEX_HOME/auth.json` as Codex CLI writes it after a ChatGPT login. */
function writeCodexAuth(codexHome: string, login: MintedLogin): void {
  mkdirSync(codexHome, { recursive: true, mode: 0o700 });
  const doc = {
    auth_mode: 'chatgpt',
    OPENAI_API_KEY: null,
    tokens: {
      id_token: login.access,
      access_token: login.access,
      refresh_token: login.refresh,
      account_id: login.accountId,
    },
    last_refresh: new Date().toISOString(),
  };
  writeFileSync(join(codexHome, 'auth.json'), JSON.stringify(doc, null, 2), { mode: 0o600 });
}

/** The refresh token OpenClaw's per-agent store holds for the login, read as OpenClaw reads it. */
function openClawRefresh(path: string): string | null {
  const db = new Database(path, { readonly: true, timeout: 5000 });
  try {
    const row = db
      .prepare(`SELECT store_json AS j FROM auth_profile_store WHERE store_key = 'primary'`)
      .get() as { j: string } | undefined;
    if (!row) return null;
    const profiles = (JSON.parse(row.j) as { profiles: Record<string, { refresh?: string }> }).profiles;
    return (profiles[ID] ?? profiles['openai:default'])?.refresh ?? null;
  } finally {
    db.close();
  }
}

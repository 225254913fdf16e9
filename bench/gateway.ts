/**
 * Gateway overhead, side by side in one run, all against the emulator's OpenAI chat endpoint:
 *   direct (no proxy) | raw Node proxy (the limit) | clawkeep gateway | Portkey gateway (@portkey-ai/gateway)
 * Non-streaming: requests/s and latency p50/p99 with autocannon (10 connections); added latency vs direct.
 * Streaming: time to first byte, sequential requests, overhead vs direct.
 * Usage: npm run bench:gateway [-- --duration 10 --connections 10 --ttfb 300 --no-portkey]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { request } from 'undici';
import { ROOT, runCli } from '../test/helpers/processes.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    ttfb: { type: 'string', default: '300' },
    'no-portkey': { type: 'boolean', default: false },
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const TTFB_N = Number(values.ttfb);
const PORTKEY_VERSION = '1.15.2';
const KEY = 'sk-emu-bench';

const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'clawkeep-bench-gw-'));

function startProcess(
  cmd: string,
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
): Promise<string> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve(m[1] ?? m[0]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out.slice(-500)}`)),
    );
  });
}

interface PathSpec {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: (stream: boolean) => string;
}

const chatBody = (model: string) => (stream: boolean) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'benchmark' }], stream });

/** A Codex CLI-shaped Responses request: the Codex backend only streams, so every request is a stream. */
const codexBody = (model: string) => () =>
  JSON.stringify({
    model,
    stream: true,
    store: false,
    input: [
      {
        type: 'message',
        role: 'developer',
        content: [{ type: 'input_text', text: 'You are a coding agent.' }],
      },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'benchmark' }] },
    ],
    tools: [{ type: 'function', name: 'shell', parameters: { type: 'object', properties: {} } }],
    tool_choice: 'auto',
    parallel_tool_calls: true,
    reasoning: { effort: 'low' },
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: 'bench',
  });

async function load(p: PathSpec) {
  const r = await autocannon({
    url: p.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...p.headers },
    body: p.body(false),
    connections: CONNECTIONS,
    duration: DURATION,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

async function ttfb(p: PathSpec): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < TTFB_N + 20; i++) {
    const t0 = performance.now();
    const res = await request(p.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...p.headers },
      body: p.body(true),
    });
    let first = true;
    // Read the whole (short) stream: breaking off mid-stream would reset pooled connections.
    for await (const _chunk of res.body) {
      if (first && i >= 20) samples.push(performance.now() - t0);
      first = false;
    }
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

try {
  const cli = join(ROOT, 'bin/clawkeep.js');
  const emuUrl = await startProcess(
    process.execPath,
    [cli, 'emulator', '--port', '0'],
    /listening on (http:\S+)/,
  );
  const home = join(dir, 'home');
  await runCli(home, ['profiles', 'add-key', '--provider', 'openai', '--name', 'bench'], { input: KEY });
  // The mission's own path: a Codex login behind the gateway.
  const minted = (await (
    await fetch(`${emuUrl}/_emulator/mint`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'openai-codex', email: 'bench@example.test' }),
    })
  ).json()) as { access: string; refresh: string; expires: number; accountId: string };
  await runCli(home, ['profiles', 'add-oauth', '--provider', 'openai-codex', '--name', 'bench'], {
    input: JSON.stringify({ access: minted.access, refresh: minted.refresh, expires: minted.expires }),
  });
  const key = (await runCli(home, ['clients', 'add', 'bench'])).stdout.trim();
  writeFileSync(
    join(home, 'config.yaml'),
    'gateway:\n  port: 0\n  logLevel: warn\nchains:\n  bench: ["openai/gpt-4.1"]\n',
  );
  const gwUrl = await startProcess(
    process.execPath,
    [cli, '--home', home, 'gateway', 'run'],
    /listening on (http:\S+)/,
    {
      CLAWKEEP_OPENAI_BASE_URL: `${emuUrl}/openai/v1`,
      CLAWKEEP_OPENAI_CODEX_BASE_URL: `${emuUrl}/openai-codex/backend-api/codex`,
      CLAWKEEP_ANTHROPIC_BASE_URL: `${emuUrl}/anthropic`,
    },
  );
  const rawPort = await startProcess(
    process.execPath,
    [join(ROOT, 'bench/raw-proxy.mjs'), emuUrl, '0'],
    /listening (\d+)/,
  );
  const paths: PathSpec[] = [
    {
      name: 'direct (emulator)',
      url: `${emuUrl}/openai/v1/chat/completions`,
      headers: { authorization: `Bearer ${KEY}` },
      body: chatBody('gpt-4.1'),
    },
    {
      name: 'raw node proxy',
      url: `http://127.0.0.1:${rawPort}/openai/v1/chat/completions`,
      headers: { authorization: `Bearer ${KEY}` },
      body: chatBody('gpt-4.1'),
    },
    {
      name: 'clawkeep',
      url: `${gwUrl}/v1/chat/completions`,
      headers: { authorization: `Bearer ${key}` },
      body: chatBody('chain:bench'),
    },
  ];
  const codexDirect = {
    authorization: `Bearer ${minted.access}`,
    'chatgpt-account-id': minted.accountId,
  };
  const missionPaths: PathSpec[] = [
    {
      name: 'codex: direct (emulator)',
      url: `${emuUrl}/openai-codex/backend-api/codex/responses`,
      headers: codexDirect,
      body: codexBody('gpt-5.1-codex'),
    },
    {
      name: 'codex: raw node proxy',
      url: `http://127.0.0.1:${rawPort}/openai-codex/backend-api/codex/responses`,
      headers: codexDirect,
      body: codexBody('gpt-5.1-codex'),
    },
    {
      name: 'codex: clawkeep passthrough',
      url: `${gwUrl}/v1/responses`,
      headers: { authorization: `Bearer ${key}` },
      body: codexBody('gpt-5.1-codex'),
    },
    {
      name: 'codex: clawkeep translated (messages client)',
      url: `${gwUrl}/v1/messages`,
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      body: (stream) =>
        JSON.stringify({
          model: 'openai-codex/gpt-5.1-codex',
          max_tokens: 256,
          messages: [{ role: 'user', content: 'benchmark' }],
          stream,
        }),
    },
  ];
  if (!values['no-portkey']) {
    const cache = join(ROOT, '.bench-cache/portkey');
    const bin = join(cache, 'node_modules/@portkey-ai/gateway/build/start-server.js');
    if (!existsSync(bin)) {
      mkdirSync(cache, { recursive: true });
      console.error(`installing @portkey-ai/gateway@${PORTKEY_VERSION} into ${cache} …`);
      execFileSync(
        'npm',
        [
          'install',
          '--prefix',
          cache,
          '--no-save',
          '--ignore-scripts',
          `@portkey-ai/gateway@${PORTKEY_VERSION}`,
        ],
        { stdio: 'ignore' },
      );
    }
    const pkPort = 18787;
    await startProcess(process.execPath, [bin, `--port=${pkPort}`], /Ready for connections/);
    paths.push({
      name: `portkey ${PORTKEY_VERSION}`,
      url: `http://127.0.0.1:${pkPort}/v1/chat/completions`,
      headers: {
        authorization: `Bearer ${KEY}`,
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': `${emuUrl}/openai/v1`,
      },
      body: chatBody('gpt-4.1'),
    });
  }
  for (const p of [...paths, ...missionPaths]) {
    const check = await request(p.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...p.headers },
      body: p.body(false),
    });
    const text = await check.body.text();
    if (check.statusCode !== 200)
      throw new Error(`${p.name} answered ${check.statusCode}: ${text.slice(0, 300)}`);
  }
  const results: Record<string, { rps: number; p50: number; p99: number; errors: number; ttfb: number }> = {};
  for (const p of paths) results[p.name] = { ...(await load(p)), ttfb: await ttfb(p) };
  const direct = results['direct (emulator)']!;
  const raw = results['raw node proxy']!;
  const ours = results.clawkeep!;
  console.log(
    `gateway bench: autocannon ${CONNECTIONS} connections x ${DURATION}s, non-streaming chat completions; TTFB over ${TTFB_N} sequential streaming requests\n`,
  );
  console.table(
    Object.fromEntries(
      Object.entries(results).map(([name, r]) => [
        name,
        {
          'req/s': Math.round(r.rps),
          'p50 ms': r.p50,
          'p99 ms': r.p99,
          'added p50 ms': name.startsWith('direct') ? '-' : (r.p50 - direct.p50).toFixed(1),
          'added p99 ms': name.startsWith('direct') ? '-' : (r.p99 - direct.p99).toFixed(1),
          'stream TTFB p50 ms': r.ttfb.toFixed(2),
          'TTFB overhead ms': name.startsWith('direct') ? '-' : (r.ttfb - direct.ttfb).toFixed(2),
          errors: r.errors,
        },
      ]),
    ),
  );
  const pk = Object.entries(results).find(([n]) => n.startsWith('portkey'))?.[1];
  const addedOurs = ours.p99 - direct.p99;
  const addedRaw = raw.p99 - direct.p99;
  console.log(
    `clawkeep req/s vs raw proxy: ${(ours.rps / raw.rps).toFixed(2)}x (target >= 0.50: ${ours.rps / raw.rps >= 0.5 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `clawkeep added p99 vs raw proxy's: ${addedOurs.toFixed(1)} ms vs ${addedRaw.toFixed(1)} ms (target within 1.5x${pk ? ' and below Portkey' : ''}: ${addedOurs <= Math.max(1, 1.5 * addedRaw) && (!pk || ours.p99 < pk.p99) ? 'met' : 'MISSED'})`,
  );
  if (pk)
    console.log(
      `clawkeep vs Portkey: ${(ours.rps / pk.rps).toFixed(1)}x the req/s, p99 ${ours.p99} vs ${pk.p99} ms`,
    );
  console.log(
    `streaming TTFB overhead p50: ${(ours.ttfb - direct.ttfb).toFixed(2)} ms (target < 1 ms: ${ours.ttfb - direct.ttfb < 1 ? 'met' : 'MISSED'})`,
  );
  const mission: typeof results = {};
  for (const p of missionPaths) mission[p.name] = { ...(await load(p)), ttfb: await ttfb(p) };
  const cDirect = mission['codex: direct (emulator)']!;
  const cRaw = mission['codex: raw node proxy']!;
  const cPass = mission['codex: clawkeep passthrough']!;
  const cTrans = mission['codex: clawkeep translated (messages client)']!;
  console.log('\nmission path: Codex CLI Responses requests to a Codex login (streamed SSE, relayed)\n');
  console.table(
    Object.fromEntries(
      Object.entries(mission).map(([name, r]) => [
        name,
        {
          'req/s': Math.round(r.rps),
          'p99 ms': r.p99,
          'stream TTFB p50 ms': r.ttfb.toFixed(2),
          'TTFB overhead ms': name.includes('direct') ? '-' : (r.ttfb - cDirect.ttfb).toFixed(2),
          errors: r.errors,
        },
      ]),
    ),
  );
  console.log(
    `passthrough req/s vs raw proxy: ${(cPass.rps / cRaw.rps).toFixed(2)}x (target >= 0.85: ${cPass.rps / cRaw.rps >= 0.85 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `passthrough stream TTFB overhead p50: ${(cPass.ttfb - cDirect.ttfb).toFixed(2)} ms (target < 1 ms: ${cPass.ttfb - cDirect.ttfb < 1 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `translated stream req/s vs raw proxy: ${(cTrans.rps / cRaw.rps).toFixed(2)}x (target >= 0.50: ${cTrans.rps / cRaw.rps >= 0.5 ? 'met' : 'MISSED'})`,
  );
} finally {
  for (const c of children) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

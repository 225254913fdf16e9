/**
 * Records exactly what each real client sends: points it at a capture server, runs a one-shot prompt
 * and writes `<out>/<client>-<api>.json` (method, path, query, headers, body of every request; keys
 * redacted). Usage: node --import tsx test/clients/capture.ts OUT_DIR client:api [client:api...]
 * A trailing `:tool` asks for a tool call (the capture server calls the first function tool).
 * (e.g. codex:responses claude-code:messages opencode:chat pi:messages openclaw:chat).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCaptureServer } from './capture-server.js';
import {
  CLIENT_VERSIONS,
  type ClientApi,
  type ClientName,
  missingReason,
  prepareClient,
  runClient,
} from './clients.js';

const KEY = 'ck_capture_fake_key_0000000000000000';

async function captureOne(
  out: string,
  name: ClientName,
  api: ClientApi,
  prompt: string,
  model: string | undefined,
  variant: string,
) {
  const reason = missingReason(name);
  if (reason) {
    console.log(`skip ${name}: ${reason}`);
    return;
  }
  const server = await startCaptureServer();
  const home = mkdtempSync(join(tmpdir(), `clawkeep-capture-${name}-`));
  try {
    const run = prepareClient(name, home, { url: server.url, apiKey: KEY, api, model }, prompt);
    const started = Date.now();
    const result = await runClient(run, 180_000);
    const redact = (s: string) => s.split(KEY).join('<redacted>').split(home).join('$HOME');
    const env = Object.fromEntries(
      Object.entries(run.env)
        .filter(([k]) => !['PATH', 'LANG', 'TERM', 'TMPDIR'].includes(k) && !k.startsWith('XDG_'))
        .map(([k, v]) => [k, redact(v)]),
    );
    const record = {
      client: name,
      version: CLIENT_VERSIONS[name],
      api,
      command: redact(run.display),
      env,
      exitCode: result.code,
      seconds: (Date.now() - started) / 1000,
      stdout: redact(result.stdout).slice(-2000),
      stderr: redact(result.stderr).slice(-4000),
      requests: server.requests.map((r) => JSON.parse(redact(JSON.stringify(r)))),
    };
    const suffix = model ? `-${model.replace(/[^a-z0-9.-]/gi, '_')}` : '';
    const file = join(out, `${name}-${api}${suffix}${variant}.json`);
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    console.log(
      `${name}:${api} exit=${result.code} requests=${server.requests.length} ` +
        `[${server.requests.map((r) => `${r.method} ${r.path}`).join(', ')}] -> ${file}`,
    );
  } finally {
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const [out, ...specs] = process.argv.slice(2);
if (!out || specs.length === 0) {
  console.error('usage: capture.ts OUT_DIR client:api[:model][:tool] ...');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
for (const spec of specs) {
  const parts = spec.split(':');
  const tool = parts.at(-1) === 'tool';
  if (tool) parts.pop();
  const [name, api, model] = parts as [ClientName, ClientApi, string | undefined];
  const prompt = tool ? 'Please use tool to list the files here.' : 'Say hello in five words.';
  await captureOne(out, name, api, prompt, model, tool ? '-tool' : '');
}

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { jsonParsePool } from '../../src/gateway/json-parse-pool.js';
import { readJsonBody } from '../../src/gateway/request-body.js';
import { CLI, collect, runCli, startNode } from '../helpers/processes.js';

const MiB = 1024 * 1024;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Three real-agent-sized bodies of different shapes, each about 32 MiB, with `model` last. */
function bigBodies(model: (i: number) => string): string[] {
  const fill = (make: (i: number) => unknown) => {
    const out: unknown[] = [];
    for (let i = 0, size = 0; size < 31 * MiB; i++) {
      const v = make(i);
      out.push(v);
      size += Buffer.byteLength(JSON.stringify(v)) + 1;
    }
    return out;
  };
  const words = 'the quick brown fox jumps over the lazy dog; ünïcödé → 模型 😀 "quoted" \\ back\n';
  const text = words.repeat(2000);
  const conversation = {
    messages: fill((i) => ({ role: i % 2 ? 'assistant' : 'user', content: text + i })),
    model: model(0),
  };
  const tools = {
    messages: fill((i) => ({
      role: 'tool',
      tool_call_id: `call_${i}`,
      content: [
        { type: 'text', text: `line ${i}` },
        { type: 'json', value: { n: i, f: i / 7, ok: i % 3 === 0, z: null } },
      ],
    })),
    stream: false,
    model: model(1),
  };
  // Deep (but legal) nesting with large arrays at several levels.
  let nested: unknown = Array.from({ length: 2_000 }, (_, i) => ({ k: `v${i}`, a: [i, i + 1] }));
  for (let d = 0; d < 40; d++)
    nested = { [`level${d}`]: nested, pad: 'x'.repeat(500), list: Array.from({ length: 200 }, (_, i) => i) };
  const deep = { messages: [{ role: 'user', content: 'x' }], extra: fill(() => nested), model: model(2) };
  return [conversation, tools, deep].map((b) => JSON.stringify(b));
}

function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

describe('large request bodies parse off the event loop (issue 14)', () => {
  let bodies: string[];
  beforeAll(() => {
    bodies = bigBodies((i) => `chain:big-${i}`);
    console.log(`large bodies: ${bodies.map((b) => (Buffer.byteLength(b) / MiB).toFixed(1)).join(', ')} MiB`);
  });

  it('readJsonBody: three 32 MiB bodies give exactly JSON.parse, and small requests are served meanwhile', async () => {
    // Parsed values are kept and compared afterwards: hashing them here would hold the event loop.
    const parsed = new Map<string, unknown>();
    const server: Server = createServer((req, res) => {
      readJsonBody(req, { maxBytes: 40 * MiB, maxDepth: 128 }).then(
        (json) => {
          parsed.set(String(req.headers['x-id']), json);
          res.end('ok');
        },
        (err: Error) => {
          res.statusCode = 400;
          res.end(err.message);
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const small = JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] });
      const delay = monitorEventLoopDelay({ resolution: 1 });
      const latencies: number[] = [];
      let bigDone = false;
      const smallLoop = (async () => {
        while (!bigDone) {
          const t0 = performance.now();
          const res = await fetch(url, { method: 'POST', body: small, headers: { 'x-id': 'small' } });
          expect(await res.text()).toBe('ok');
          expect(parsed.get('small')).toEqual(JSON.parse(small));
          latencies.push(performance.now() - t0);
        }
      })();
      await sleep(50);
      delay.enable();
      const answers = await Promise.all(
        bodies.map(async (b, i) => {
          const res = await fetch(url, { method: 'POST', body: b, headers: { 'x-id': `big-${i}` } });
          return { status: res.status, text: await res.text() };
        }),
      );
      delay.disable();
      bigDone = true;
      await smallLoop;
      console.log(
        `large bodies (in process): ${latencies.length} small requests during three 32 MiB parses, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; event-loop delay max ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms; RSS peak ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
      );
      expect(jsonParsePool().threads).toBeGreaterThan(0);
      for (const [i, a] of answers.entries()) {
        expect(a.status, a.text).toBe(200);
        expect(sha(JSON.stringify(parsed.get(`big-${i}`))), `body ${i}`).toBe(
          sha(JSON.stringify(JSON.parse(bodies[i]!))),
        );
      }
      expect(latencies.length).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  }, 120_000);

  it('the same errors as JSON.parse would give: too deep, not JSON, not an object (nothing quoted)', async () => {
    const server: Server = createServer((req, res) => {
      readJsonBody(req, { maxBytes: 40 * MiB, maxDepth: 64 }).then(
        () => res.end('ok'),
        (err: Error) => {
          res.statusCode = 400;
          res.end(err.message);
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const pad = 'sk-fake-secret-'.repeat(100_000);
      const cases: Array<[string, string, RegExp]> = [
        ['too deep', `{"pad":"${pad}","x":${'['.repeat(65)}${']'.repeat(65)}}`, /deeper than 64 levels/],
        ['broken at the end', `{"pad":"${pad}","x":[1,2}`, /^request body is not valid JSON$/],
        ['a control character in a string', `{"pad":"${pad}\u0001"}`, /^request body is not valid JSON$/],
        ['an array root', `["${pad}"]`, /must be a JSON object/],
      ];
      for (const [name, body, want] of cases) {
        expect(Buffer.byteLength(body), name).toBeGreaterThan(MiB);
        const res = await fetch(url, { method: 'POST', body });
        const text = await res.text();
        expect(res.status, name).toBe(400);
        expect(text, name).toMatch(want);
        expect(text).not.toContain('sk-fake');
      }
    } finally {
      server.close();
    }
  }, 60_000);
});

describe('a gateway process under three 32 MiB bodies', () => {
  let emulator: Emulator;
  let root: string;
  beforeAll(async () => {
    emulator = await startEmulator();
    root = mkdtempSync(join(tmpdir(), 'clawkeep-large-bodies-'));
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('parses each body whole (its model is its last field), keeps serving small requests, bounded RSS', async () => {
    const home = join(root, 'home');
    const add = await runCli(home, ['profiles', 'add-key', '--provider', 'openai', '--name', 'k'], {
      input: 'sk-emu-large-bodies',
    });
    expect(add.code, add.stderr).toBe(0);
    const key = (await runCli(home, ['clients', 'add', 'agent'])).stdout.trim();
    writeFileSync(
      join(home, 'config.yaml'),
      'gateway:\n  port: 0\n  logLevel: warn\n  maxConcurrentPerClient: 64\nchains:\n  k: ["openai/gpt-4.1"]\n',
    );
    const gw = startNode(CLI, ['--home', home, 'gateway', 'run'], { env: emulator.env() });
    const done = collect(gw);
    let err = '';
    gw.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    try {
      for (let i = 0; i < 400 && !/listening on (http:\S+)/.test(err); i++) await sleep(25);
      const url = /listening on (http:\S+)/.exec(err)![1]!;
      const vm = (field: string) =>
        Number(
          new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${gw.pid}/status`, 'utf8'))![1],
        ) / 1024;
      const rssBefore = vm('VmRSS');
      const post = (body: string) =>
        fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body,
        });
      const small = JSON.stringify({ model: 'chain:k', messages: [{ role: 'user', content: 'hi' }] });
      const big = bigBodies((i) => `chain:big-${i}`);
      const latencies: number[] = [];
      let bigDone = false;
      const smallLoop = (async () => {
        while (!bigDone) {
          const t0 = performance.now();
          const res = await post(small);
          expect(res.status).toBe(200);
          await res.text();
          latencies.push(performance.now() - t0);
        }
      })();
      await sleep(100);
      const answers = await Promise.all(
        big.map(async (b) => {
          const res = await post(b);
          return { status: res.status, text: await res.text() };
        }),
      );
      bigDone = true;
      await smallLoop;
      for (const [i, a] of answers.entries()) {
        // The model is the body's last field: naming it proves the whole body was parsed, and as itself.
        expect(a.status, a.text.slice(0, 300)).toBe(404);
        expect(a.text).toContain(`unknown model \\"chain:big-${i}\\"`);
      }
      const peak = vm('VmHWM');
      console.log(
        `large bodies (gateway process): ${latencies.length} small requests served during three 32 MiB bodies, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms; gateway RSS ${rssBefore.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB`,
      );
      expect(latencies.length).toBeGreaterThan(0);
      // Bounded: three bodies and their values, not the gigabytes a nested parse once took.
      expect(peak).toBeLessThan(1536);
    } finally {
      gw.kill('SIGTERM');
      await done;
    }
  }, 180_000);
});

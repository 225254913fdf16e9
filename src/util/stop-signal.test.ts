import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

/**
 * A process that waits for a stop signal, then takes 300 ms to stop and writes a file. signal-exit
 * (loaded by proper-lockfile, inquirer, and write-file-atomic during each write) registers its own
 * listener after ours, as it does when a write starts while the process runs; it re-raises the signal
 * when it sees itself as the last listener, which killed `clawkeep watch` before it flushed its metrics.
 */
function script(out: string, kind: 'ours' | 'once'): string {
  const stop = pathToFileURL(join(ROOT, 'dist/util/stop-signal.js')).href;
  const exit = pathToFileURL(join(ROOT, 'node_modules/signal-exit/dist/mjs/index.js')).href;
  const wait =
    kind === 'ours'
      ? `const s = untilStopSignal(); await s.signal;`
      : `await new Promise((r) => { process.once('SIGTERM', r); onExit(() => {}); console.log('ready'); });`;
  return `
    import { writeFileSync } from 'node:fs';
    import { untilStopSignal } from '${stop}';
    import { onExit } from '${exit}';
    setInterval(() => {}, 1000); // a server, in a real process
    ${kind === 'ours' ? `setTimeout(() => { onExit(() => {}); console.log('ready'); }, 0);` : ''}
    ${wait}
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(${JSON.stringify(out)}, 'stopped cleanly');
    process.exit(0);
  `;
}

async function run(
  kind: 'ours' | 'once',
): Promise<{ code: number | null; signal: string | null; out: string }> {
  const out = join(mkdtempSync(join(tmpdir(), 'clawkeep-stop-')), 'out.txt');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script(out, kind)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGTERM');
  const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
    child.once('close', (c, s) => r([c, s])),
  );
  let text = '';
  try {
    text = readFileSync(out, 'utf8');
  } catch {
    // not written
  }
  return { code, signal, out: text };
}

describe('untilStopSignal', () => {
  it('a graceful stop finishes even when signal-exit listens too', async () => {
    expect(await run('ours')).toEqual({ code: 0, signal: null, out: 'stopped cleanly' });
  });

  it('(control) with process.once, signal-exit re-raises SIGTERM and the stop is cut short', async () => {
    expect(await run('once')).toEqual({ code: null, signal: 'SIGTERM', out: '' });
  });
});

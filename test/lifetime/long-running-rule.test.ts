import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/processes.js';

/**
 * The rule of issue 18: every long-running command has a test that runs the built CLI as a child
 * process across token rotations. The lifetime scenario (test/lifetime) is that test; this guard keeps
 * the list complete. A command is long-running when its code waits for a stop signal
 * (`untilStopSignal`); `dashboard` is listed too, as users keep its page open on the running gateway.
 */
const LONG_RUNNING: Record<string, { command: string; spawnedAs: RegExp }> = {
  'src/serve/run-foreground.ts': { command: 'gateway run', spawnedAs: /'gateway',\s*'run'/ },
  'src/watch/run-foreground.ts': { command: 'watch', spawnedAs: /'watch',\s*'--openclaw-home'/ },
  'src/cli/commands/emulator.ts': { command: 'emulator', spawnedAs: /\['emulator',/ },
  'src/cli/commands/events.ts': { command: 'events --follow', spawnedAs: /'events',\s*'--follow'/ },
  'src/cli/commands/dashboard.ts': { command: 'dashboard', spawnedAs: /\['dashboard',\s*'--no-browser'\]/ },
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('every long-running command runs as the built CLI across rotations in the lifetime suite', () => {
  it('knows every command that waits for a stop signal', () => {
    const waiting = sources(join(ROOT, 'src'))
      .filter((f) => !f.endsWith('stop-signal.ts') && readFileSync(f, 'utf8').includes('untilStopSignal('))
      .map((f) => relative(ROOT, f));
    const unlisted = waiting.filter((f) => !(f in LONG_RUNNING));
    expect(unlisted, 'a new long-running command: add it to the lifetime scenario and to this table').toEqual(
      [],
    );
  });

  it('the lifetime scenario starts each of them as a child process', () => {
    const lifetime = sources(join(ROOT, 'test/lifetime'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const missing = Object.values(LONG_RUNNING)
      .filter((c) => !c.spawnedAs.test(lifetime))
      .map((c) => c.command);
    expect(missing).toEqual([]);
  });
});

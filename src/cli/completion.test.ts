import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { completionLevels, completionScript } from './completion.js';
import { buildFullProgram } from './main.js';
import type { Io } from './output.js';

const io: Io = { out: () => {}, err: () => {}, stdin: process.stdin, isTTY: false };

describe('completion', () => {
  it('includes commands registered after the completion command (e.g. by other modules)', async () => {
    const program = await buildFullProgram(io, () => {});
    program.command('later-added').description('later').option('--interval <s>', 'x');
    const levels = completionLevels(program);
    expect(levels.find((l) => l.path === '')?.words).toContain('later-added');
    expect(levels.find((l) => l.path === 'later-added')?.words).toEqual(
      expect.arrayContaining(['--interval', '--home']),
    );
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      expect(completionScript(program, shell)).toContain('--interval');
    }
  });

  it('offers global options at every level', () => {
    const root = new Command('x').option('--home <d>');
    root.command('a').command('b').option('--c');
    expect(completionLevels(root).find((l) => l.path === 'a b')?.words).toEqual(
      expect.arrayContaining(['--c', '--home']),
    );
  });
});

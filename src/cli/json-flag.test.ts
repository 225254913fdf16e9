import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandPath, givesJson } from './json-flag.js';

function tree() {
  const program = new Command('clawkeep').option('--home <dir>');
  const events = program.command('events').option('--profile <id>').option('--limit <n>').option('--json');
  const store = program.command('store');
  const encrypt = store.command('encrypt').option('--key-store <where>').option('--json');
  const gateway = program.command('gateway');
  const run = gateway.command('run').option('--port <n>');
  return { events, encrypt, run };
}

describe('givesJson', () => {
  const t = tree();
  it.each([
    [t.events, ['events', '--json'], true],
    [t.events, ['events', '--profile', '--json'], false],
    [t.events, ['events', '--profile=x', '--json'], true],
    [t.events, ['--home', 'events', 'events', '--limit', '--json'], false],
    [t.events, ['--home', '--json', 'events'], false],
    [t.events, ['events', '--', '--json'], false],
    [t.encrypt, ['store', 'encrypt', '--key-store', 'x', '--json'], true],
    [t.encrypt, ['store', '--json', 'encrypt'], false],
    [t.run, ['gateway', 'run', '--json'], false],
  ])('%#: %j', (command, args, expected) => {
    expect(givesJson(commandPath(command), args)).toBe(expected);
  });
});

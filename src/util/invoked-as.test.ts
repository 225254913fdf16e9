import { afterEach, describe, expect, it } from 'vitest';
import { invokedAs, rememberGlobalArgs } from './invoked-as.js';

describe('invokedAs', () => {
  afterEach(() => rememberGlobalArgs([]));

  it.each([
    [{}, '/usr/lib/node_modules/clawkeep/bin/clawkeep.js', 'clawkeep'],
    [{ npm_command: 'exec' }, '/x/bin/clawkeep', 'npx clawkeep'],
    [{ npm_lifecycle_event: 'npx' }, '/x/bin/clawkeep', 'npx clawkeep'],
    [{ npm_execpath: '/usr/lib/node_modules/npm/bin/npx-cli.js' }, '/x/bin/clawkeep', 'npx clawkeep'],
    [{}, '/root/.npm/_npx/8f3a/node_modules/clawkeep/bin/clawkeep.js', 'npx clawkeep'],
    [{ npm_command: 'run-script', npm_lifecycle_event: 'start' }, '/p/bin/clawkeep.js', 'clawkeep'],
  ])('%o %s → %s', (env, argv1, expected) => {
    expect(invokedAs(env, argv1)).toBe(expected);
  });

  it('repeats the global flags, quoted for a shell', () => {
    rememberGlobalArgs(['--home', "/tmp/my home's"]);
    expect(invokedAs({}, '')).toBe(`clawkeep --home '/tmp/my home'\\''s'`);
  });
});

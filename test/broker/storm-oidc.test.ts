import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';
import { ageProfile, readRow } from '../helpers/store-fixtures.js';
import { runStorm } from '../helpers/storm.js';
import { type OidcPeer, startOidcPeer } from '../peers/oidc-peer.js';

const ROTATIONS = 10;

describe("refresh storm against panva's oidc-provider (rotateRefreshToken)", () => {
  let peer: OidcPeer;
  let home: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    peer = await startOidcPeer();
    home = mkdtempSync(join(tmpdir(), 'clawkeep-oidc-'));
    env = { CLAWKEEP_OIDC_TOKEN_URL: peer.tokenUrl, CLAWKEEP_OIDC_CLIENT_ID: peer.clientId };
  });
  afterAll(async () => {
    await peer.close();
    rmSync(home, { recursive: true, force: true });
  });

  it(`8 processes x 50 callers, ${ROTATIONS} rotations: zero invalid_grant, one refresh per rotation`, async () => {
    const minted = await peer.mint('storm-account');
    const added = await runCli(home, ['profiles', 'add-oauth', '--provider', 'oidc', '--name', 'peer'], {
      input: JSON.stringify(minted),
    });
    expect(added.code).toBe(0);
    for (let round = 1; round <= ROTATIONS; round++) {
      ageProfile(home, 'oidc:peer');
      const storm = await runStorm(home, 'oidc:peer', 8, 50, env);
      expect(Object.fromEntries(storm.errors), `round ${round}`).toEqual({});
      expect(storm.tokens.size).toBe(1);
      expect(peer.stats()).toEqual({ refreshes: round, invalidGrant: 0, grantsRevoked: 0 });
      expect(readRow(home, 'oidc:peer')).toMatchObject({ generation: round + 1, status: 'ok' });
    }
  });
});

import type { Emulator } from '../../src/emulator/index.js';

/** Starts a new token family at the emulator, in the shape `profiles add-oauth` reads. */
export async function mint(emulator: Emulator, provider: string, email: string) {
  const res = await fetch(`${emulator.url}/_emulator/mint`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider, email }),
  });
  if (!res.ok) throw new Error(`mint failed: ${res.status}`);
  return (await res.json()) as {
    familyId: string;
    access: string;
    refresh: string;
    expires: number;
    accountId: string;
    email: string;
  };
}

import { describe, expect, it } from 'vitest';
import { hostIdentity, isOwnerDead, makeOwnerId } from './owner.js';

const HERE = 'box~aaaaaaaaaaaaaaaa';
const dead = () => false;
const alive = () => true;

describe('isOwnerDead: only an owner in this kernel boot and pid namespace whose pid is gone', () => {
  it.each([
    ['same host id, pid gone', `${HERE}/4242/abcd`, dead, true],
    ['same host id, pid alive', `${HERE}/4242/abcd`, alive, false],
    ['same hostname, another container (host id differs)', 'box~bbbbbbbbbbbbbbbb/4242/abcd', dead, false],
    ['an older clawkeep (hostname only)', 'box/4242/abcd', dead, false],
    ['another host', 'elsewhere~aaaaaaaaaaaaaaaa/4242/abcd', dead, false],
    ['this very process', `${HERE}/${process.pid}/abcd`, dead, false],
    ['no pid', `${HERE}/x/abcd`, dead, false],
    ['pid 0', `${HERE}/0/abcd`, dead, false],
  ])('%s → %s', (_name, owner, pidAlive, want) => {
    expect(isOwnerDead(owner, HERE, pidAlive)).toBe(want);
  });

  it('a real dead pid of this process’s host is dead; our own owner id is not', () => {
    const mine = makeOwnerId();
    expect(isOwnerDead(mine)).toBe(false);
    const [host] = mine.split('/');
    expect(isOwnerDead(`${host}/999999999/ffff`)).toBe(true);
  });
});

describe('hostIdentity', () => {
  const read = (values: Record<string, string | null>) => (what: string) => values[what] ?? null;

  it('differs between two containers of one kernel (same boot id, other pid namespace)', () => {
    const a = hostIdentity({}, read({ boot_id: 'b1', pidns: 'pid:[1]', machine_id: 'm' }));
    const b = hostIdentity({}, read({ boot_id: 'b1', pidns: 'pid:[2]', machine_id: 'm' }));
    expect(a).not.toBe(b);
  });

  it('changes with a reboot and is stable within one', () => {
    const r = read({ boot_id: 'b1', pidns: 'pid:[1]' });
    expect(hostIdentity({}, r)).toBe(hostIdentity({}, r));
    expect(hostIdentity({}, read({ boot_id: 'b2', pidns: 'pid:[1]' }))).not.toBe(hostIdentity({}, r));
  });

  it('CLAWKEEP_HOST_ID wins; nothing readable gives a random id', () => {
    expect(hostIdentity({ CLAWKEEP_HOST_ID: 'rack-7' }, read({}))).toBe('rack-7');
    expect(hostIdentity({}, read({}))).not.toBe(hostIdentity({}, read({})));
  });
});

import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectionCap, FIRST_REQUEST_GRACE_MS, type ShedReason, sizeConnections } from './connection-cap.js';

describe('sizeConnections', () => {
  it.each([
    // limit, configured → clients, upstream per origin
    [256, 4096, 144, 48],
    [2048, 4096, 1488, 256],
    [65536, 4096, 4096, 256],
    [1_048_576, 1000, 1000, 256],
    [64, 4096, 1, 1],
    [null, 4096, 4096, 256],
    [Number.POSITIVE_INFINITY, 4096, 4096, 256],
  ])(
    'limit %s, maxConnections %s: %s clients, %s upstream per origin',
    (limit, configured, clients, upstream) => {
      expect(sizeConnections(limit, configured)).toEqual({ clients, upstreamPerOrigin: upstream });
    },
  );

  it('leaves the fixed reserve and the upstream share free at any limit', () => {
    for (let limit = 100; limit < 20_000; limit += 97) {
      const b = sizeConnections(limit, Number.MAX_SAFE_INTEGER);
      expect(b.clients + b.upstreamPerOrigin).toBeLessThanOrEqual(limit - 64);
    }
  });
});

class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly name: string) {
    super();
  }
  destroy() {
    if (this.destroyed) return this;
    this.destroyed = true;
    queueMicrotask(() => this.emit('close'));
    return this;
  }
}

function setup(max: number) {
  const shed: ShedReason[] = [];
  const clock = { now: 0 };
  const cap = new ConnectionCap({ max, onShed: (r) => shed.push(r), now: () => clock.now });
  const open = (name: string) => {
    const s = new FakeSocket(name);
    cap.admit(s as unknown as Socket);
    return s;
  };
  const as = (s: FakeSocket) => s as unknown as Socket;
  const answer = (s: FakeSocket) => {
    cap.requestStarted(as(s));
    cap.requestEnded(as(s));
  };
  return { cap, shed, open, as, answer, clock };
}

describe('ConnectionCap', () => {
  it('at the cap, closes the oldest socket without a complete request to admit a new one', () => {
    const { cap, shed, open } = setup(3);
    const a = open('a');
    const b = open('b');
    const c = open('c');
    const d = open('d');
    expect([a, b, c, d].map((s) => s.destroyed)).toEqual([true, false, false, false]);
    expect(shed).toEqual(['no_request']);
    expect(cap.counts()).toEqual({ no_request: 3, serving: 0, keep_alive: 0 });
  });

  it('never closes a socket being served; refuses the new one when every socket is serving', () => {
    const { cap, shed, open, as } = setup(2);
    const a = open('a');
    const b = open('b');
    cap.requestStarted(as(a));
    cap.requestStarted(as(b));
    const c = open('c');
    expect([a.destroyed, b.destroyed, c.destroyed]).toEqual([false, false, true]);
    expect(shed).toEqual(['refused']);
    expect(cap.counts()).toEqual({ no_request: 0, serving: 2, keep_alive: 0 });
  });

  it('a socket serving one request is passed over for one that sent nothing, however new', () => {
    const { cap, open, as } = setup(2);
    const serving = open('serving');
    cap.requestStarted(as(serving));
    const idle = open('idle');
    const next = open('next');
    expect([serving.destroyed, idle.destroyed, next.destroyed]).toEqual([false, true, false]);
  });

  it('counts a socket kept alive after its answer; closes it after those that sent nothing within their grace', () => {
    const { cap, shed, open, answer, clock } = setup(3);
    const answered = open('answered');
    answer(answered);
    expect(cap.counts()).toEqual({ no_request: 0, serving: 0, keep_alive: 1 });
    const idle = open('idle');
    const b = open('b');
    clock.now = FIRST_REQUEST_GRACE_MS;
    const c = open('c');
    const d = open('d');
    expect([idle.destroyed, b.destroyed, answered.destroyed]).toEqual([true, true, false]);
    const e = open('e');
    expect([answered.destroyed, c.destroyed, d.destroyed, e.destroyed]).toEqual([true, false, false, false]);
    open('f');
    expect(c.destroyed).toBe(true);
    expect(shed).toEqual(['no_request', 'no_request', 'keep_alive', 'no_request']);
  });

  it('sockets accepted together do not push each other out while a kept-alive socket idles', () => {
    const { shed, open, answer } = setup(3);
    const a = open('a');
    const b = open('b');
    answer(a);
    answer(b);
    const burst = ['x', 'y', 'z'].map(open);
    expect([a.destroyed, b.destroyed, ...burst.map((s) => s.destroyed)]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(shed).toEqual(['keep_alive', 'keep_alive']);
  });

  it('among kept-alive sockets, closes the one idle longest; one serving again is not idle', () => {
    const { cap, shed, open, as } = setup(3);
    const [a, b, c] = ['a', 'b', 'c'].map(open) as [FakeSocket, FakeSocket, FakeSocket];
    for (const s of [a, b, c]) cap.requestStarted(as(s));
    for (const s of [b, a, c]) cap.requestEnded(as(s));
    cap.requestStarted(as(b));
    open('d');
    expect([a.destroyed, b.destroyed, c.destroyed]).toEqual([true, false, false]);
    expect(shed).toEqual(['keep_alive']);
    expect(cap.counts()).toEqual({ no_request: 1, serving: 1, keep_alive: 1 });
  });

  it('forgets a socket once it closes, and counts pipelined requests until the last ends', async () => {
    const { cap, open, as } = setup(5);
    const a = open('a');
    cap.requestStarted(as(a));
    cap.requestStarted(as(a));
    cap.requestEnded(as(a));
    expect(cap.counts().serving).toBe(1);
    a.destroy();
    await new Promise<void>((r) => a.once('close', () => queueMicrotask(r)));
    expect(cap.counts()).toEqual({ no_request: 0, serving: 0, keep_alive: 0 });
    cap.requestEnded(as(a));
    expect(cap.counts()).toEqual({ no_request: 0, serving: 0, keep_alive: 0 });
  });
});

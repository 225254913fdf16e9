import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectionCap, type ShedReason, sizeConnections } from './connection-cap.js';

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
  const cap = new ConnectionCap(max, (r) => shed.push(r));
  const open = (name: string) => {
    const s = new FakeSocket(name);
    cap.admit(s as unknown as Socket);
    return s;
  };
  const as = (s: FakeSocket) => s as unknown as Socket;
  return { cap, shed, open, as };
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
    expect(cap.counts()).toEqual({ no_request: 3, serving: 0 });
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
    expect(cap.counts()).toEqual({ no_request: 0, serving: 2 });
  });

  it('a socket serving one request is passed over for one that sent nothing, however new', () => {
    const { cap, open, as } = setup(2);
    const serving = open('serving');
    cap.requestStarted(as(serving));
    const idle = open('idle');
    const next = open('next');
    expect([serving.destroyed, idle.destroyed, next.destroyed]).toEqual([false, true, false]);
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
    expect(cap.counts()).toEqual({ no_request: 0, serving: 0 });
    cap.requestEnded(as(a));
    expect(cap.counts()).toEqual({ no_request: 0, serving: 0 });
  });
});

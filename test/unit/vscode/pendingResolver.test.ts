// The editor never waits long for a model: a slow lookup answers `pending`, keeps running, and announces itself
// once it settles so the document is analysed again and "resolving…" fills in. The slow resolver here is a
// stand-in for a Hub lookup (the network cannot be had in tests); the timing is real.
import * as assert from 'node:assert/strict';
import { PendingResolver, type Resolution } from '../../../src/vscode/pendingResolver';

function slowResolver(ms: number, result: Resolution): { resolve: (ref: string, dir: string) => Promise<Resolution>; calls: number } {
  const r = {
    calls: 0,
    resolve: (_ref: string, _dir: string) => {
      r.calls++;
      return new Promise<Resolution>((ok) => setTimeout(() => ok(result), ms));
    },
  };
  return r;
}

describe('PendingResolver', () => {
  it('answers a fast lookup directly', async () => {
    const inner = slowResolver(1, { kind: 'catalog', descriptor: { name: 'm' } });
    const settled: string[] = [];
    const p = new PendingResolver(inner, { waitMs: 100, onSettled: (ref) => settled.push(ref) });
    assert.equal((await p.resolve('m', '/')).kind, 'catalog');
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(settled, []);
  });

  it('answers a slow lookup "pending", announces it once, then answers the result without a second lookup', async () => {
    const inner = slowResolver(120, { kind: 'catalog', descriptor: { name: 'hub-model' } });
    const settled: string[] = [];
    const p = new PendingResolver(inner, { waitMs: 30, onSettled: (ref) => settled.push(ref) });
    const first = await p.resolve('org/model', '/ws');
    assert.equal(first.kind, 'pending');
    assert.match(first.error ?? '', /resolving org\/model…/);
    // A second analysis meanwhile joins the same lookup.
    assert.equal((await p.resolve('org/model', '/ws')).kind, 'pending');
    assert.equal(inner.calls, 1);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(settled, ['org/model']);
    const again = await p.resolve('org/model', '/ws');
    assert.equal(again.kind, 'catalog');
    assert.equal(inner.calls, 1, 'the settled result is kept for the re-analysis');
  });

  it('a failing lookup settles as an error, not a hang', async () => {
    const p = new PendingResolver({ resolve: () => new Promise<Resolution>((_, no) => setTimeout(() => no(new Error('offline')), 50)) }, { waitMs: 10 });
    assert.equal((await p.resolve('x', '/')).kind, 'pending');
    await new Promise((r) => setTimeout(r, 80));
    const r = await p.resolve('x', '/');
    assert.equal(r.kind, 'error');
    assert.equal(r.error, 'offline');
  });
});

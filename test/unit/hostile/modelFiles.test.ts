// The models area's file reads and cache writes (src/core/models/fileAccess.ts: HF cache snapshots, the Hub cache,
// Ollama manifests, model folders) go through core/io: a FIFO where a config.json should be is refused without
// blocking, /dev/zero behind a symlink is refused, a file over the cap is refused before it is read, and a cache
// write never replaces something that is not a regular file and leaves no temp file behind.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../../src/core/io/errors';
import { readBytes, readTextIfExists, writeFileAtomic } from '../../../src/core/models/fileAccess';
import { factsFromFolder } from '../../../src/core/models/hfCache';
import { createModelResolver } from '../../../src/core/models/resolve';
import { mkfifo } from '../../fuzz/inputs';

describe('hostile: model files through core/io', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-modelfiles-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const refusal = (fn: () => unknown, problem: string, re: RegExp) => {
    const t0 = Date.now();
    assert.throws(fn, (e: unknown) => e instanceof InputError && e.problem === problem && re.test(e.message));
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  };

  it('readTextIfExists: missing is undefined; a FIFO, /dev/zero behind a symlink and an oversized file are refused without reading', function () {
    assert.equal(readTextIfExists(path.join(dir, 'none.json'), 100), undefined);
    const fifo = path.join(dir, 'config.json');
    if (!mkfifo(fifo)) this.skip();
    refusal(() => readTextIfExists(fifo, 1 << 20), 'not-regular', /FIFO/);
    const link = path.join(dir, 'manifest');
    fs.symlinkSync('/dev/zero', link);
    refusal(() => readTextIfExists(link, 1 << 20), 'not-regular', /character device \(a symbolic link to \/dev\/zero\)/);
    const big = path.join(dir, 'big.json');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 2 * 1024 ** 3);
    const rss = process.memoryUsage().rss;
    refusal(() => readTextIfExists(big, 8 << 20), 'too-large', /2\.0 GiB: larger than the 8\.0 MiB/);
    assert.ok(process.memoryUsage().rss - rss < 64 << 20);
    refusal(() => readBytes(fifo, 0, 8), 'not-regular', /FIFO/);
  });

  it('an HF cache snapshot whose config.json is a FIFO is an error, not a hang; the resolver says so for a model folder', async function () {
    const snap = path.join(dir, 'snap');
    fs.mkdirSync(snap);
    if (!mkfifo(path.join(snap, 'config.json'))) this.skip();
    refusal(() => factsFromFolder(snap, { kind: 'hub', repo: 'a/b' } as never, '0'.repeat(40), 'https://huggingface.co'), 'not-regular', /FIFO/);
    const t0 = Date.now();
    const r = await createModelResolver({ homeDir: dir }).resolve(snap, dir);
    assert.ok(Date.now() - t0 < 3000, `resolve took ${Date.now() - t0} ms`);
    assert.notEqual(r.descriptor !== undefined, true, 'no descriptor from a FIFO');
    assert.match(r.error ?? '', /FIFO|not a regular file|config\.json/i, JSON.stringify(r));
  });

  it('writeFileAtomic replaces a regular file through a temp file, never a FIFO, and leaves no temp file', function () {
    const f = path.join(dir, 'sub', 'facts.json');
    assert.equal(writeFileAtomic(f, '{"a":1}'), undefined);
    assert.equal(writeFileAtomic(f, '{"a":2}'), undefined);
    assert.equal(fs.readFileSync(f, 'utf8'), '{"a":2}');
    assert.equal((fs.statSync(f).mode & 0o777).toString(8), '600');
    const fifo = path.join(dir, 'sub', 'fifo.json');
    if (!mkfifo(fifo)) this.skip();
    const err = writeFileAtomic(fifo, '{}');
    assert.match(err ?? '', /FIFO.*never replaces/);
    assert.ok(fs.statSync(fifo).isFIFO(), 'the FIFO is still a FIFO');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'sub')).filter((n) => n.includes('kvlens-tmp')), []);
  });
});

// core/io's one safe way to write: temp file + rename for regular files, in place for a FIFO or character device
// (never replaced), clear refusals for folders, sockets, a FIFO nobody reads, /proc/x/y and a disk too small.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { OutputError } from '../../../src/core/io/errors';
import { trackedTemps } from '../../../src/core/io/temps';
import { ensureFolder, openOutput, writeOutput } from '../../../src/core/io/write';
import { mkfifo, mknodNull } from '../../fuzz/inputs';

describe('core/io: writing outputs', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-out-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const leftovers = () => fs.readdirSync(dir).filter((f) => f.includes('kvlens-tmp'));
  const refused = async (p: Promise<unknown>, problem: string, re: RegExp) => {
    try { await p; } catch (e) {
      assert.ok(e instanceof OutputError, `OutputError expected, got ${(e as Error).name}: ${(e as Error).message}`);
      assert.equal(e.problem, problem, e.message);
      assert.match(e.message, re);
      return;
    }
    assert.fail('expected a refusal');
  };

  it('replaces a regular file atomically, keeps its mode, creates missing folders, leaves no temp file', async () => {
    const f = path.join(dir, 'r.html');
    fs.writeFileSync(f, 'old');
    fs.chmodSync(f, 0o600);
    const w = await writeOutput(f, 'new');
    assert.equal(w.inPlace, false);
    assert.equal(fs.readFileSync(f, 'utf8'), 'new');
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    await writeOutput(path.join(dir, 'a', 'b', 'c.html'), 'deep');
    assert.equal(fs.readFileSync(path.join(dir, 'a', 'b', 'c.html'), 'utf8'), 'deep');
    assert.deepEqual(leftovers(), []);
    assert.deepEqual(trackedTemps(), []);
  });

  it('writes through a symlink into its target; the link stays a link', async () => {
    const target = path.join(dir, 'real.html');
    fs.writeFileSync(target, 'old');
    fs.symlinkSync(target, path.join(dir, 'link.html'));
    await writeOutput(path.join(dir, 'link.html'), 'new');
    assert.ok(fs.lstatSync(path.join(dir, 'link.html')).isSymbolicLink());
    assert.equal(fs.readFileSync(target, 'utf8'), 'new');
  });

  it('writes into a character device in place and never replaces it', async function () {
    const n = path.join(dir, 'null');
    if (!mknodNull(n)) this.skip();
    const w = await writeOutput(n, 'x'.repeat(100_000));
    assert.equal(w.inPlace, true);
    assert.ok(fs.lstatSync(n).isCharacterDevice());
    assert.deepEqual(leftovers(), []);
  });

  it('writes into a FIFO that has a reader; refuses one nobody reads within the wait, and leaves it a FIFO', async function () {
    this.timeout(10_000);
    const p = path.join(dir, 'p');
    if (!mkfifo(p)) this.skip();
    const t0 = Date.now();
    await refused(writeOutput(p, 'x', { openTimeoutMs: 300 }), 'no-reader', /FIFO \(named pipe\) and nothing read from it within 0 s|within 1 s/);
    assert.ok(Date.now() - t0 < 3000);
    assert.ok(fs.lstatSync(p).isFIFO());
    const reader = spawn(process.execPath, ['-e', `let n=0; require('fs').createReadStream(${JSON.stringify(p)}).on('data',(d)=>{n+=d.length}).on('end',()=>{process.stdout.write(String(n))})`], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    reader.stdout.on('data', (d) => { out += d; });
    const w = await writeOutput(p, 'y'.repeat(300_000), { openTimeoutMs: 5000 });
    assert.equal(w.inPlace, true);
    if (reader.exitCode === null) await new Promise((r) => reader.on('exit', r));
    assert.equal(out, '300000');
    assert.ok(fs.lstatSync(p).isFIFO());
  });

  it('refuses a folder, a socket, a dangling symlink and a folder it cannot make (/proc/x/y) — at once', async () => {
    await refused(writeOutput(dir, 'x'), 'directory', /is a folder/);
    const sock = path.join(dir, 's.sock');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(sock, () => r()));
    try {
      await refused(writeOutput(sock, 'x'), 'not-writable-kind', /is a socket/);
      assert.ok(fs.lstatSync(sock).isSocket());
    } finally {
      server.close();
    }
    fs.symlinkSync(path.join(dir, 'missing'), path.join(dir, 'dangling'));
    await refused(writeOutput(path.join(dir, 'dangling'), 'x'), 'io', /symbolic link to something missing/);
    const t0 = Date.now();
    await refused(writeOutput('/proc/x/y', 'x'), 'io', /cannot create the folder \/proc\/x/);
    assert.ok(Date.now() - t0 < 2000);
    assert.throws(() => ensureFolder(path.join(dir, 'dangling', 'sub')), OutputError);
  });

  it('refuses a write larger than the free space before writing anything', async () => {
    const f = path.join(dir, 'huge.gguf');
    await refused(openOutput(f, { expectedBytes: 2 ** 53 }), 'no-space', /would be .* but .* free; nothing was written/);
    assert.equal(fs.existsSync(f), false);
    assert.deepEqual(leftovers(), []);
  });

  it('abort removes the temp file; a commit after a failed write is a clear error', async () => {
    const f = path.join(dir, 'x.html');
    const sink = await openOutput(f);
    await sink.write('partial');
    assert.equal(leftovers().length, 1);
    assert.equal(trackedTemps().length, 1);
    await sink.abort();
    assert.deepEqual(leftovers(), []);
    assert.deepEqual(trackedTemps(), []);
    assert.equal(fs.existsSync(f), false);
  });

  it('a process killed by a signal mid-write leaves no temp file (the CLI removes tracked temps on SIGTERM)', async function () {
    this.timeout(20_000);
    const io = require.resolve('../../../src/core/io/write');
    const temps = require.resolve('../../../src/core/io/temps');
    const f = path.join(dir, 'big.bin');
    const script = `
      const { openOutput } = require(${JSON.stringify(io)});
      const { removeTempsSync } = require(${JSON.stringify(temps)});
      process.on('SIGTERM', () => { removeTempsSync(); process.exit(143); });
      (async () => { const s = await openOutput(${JSON.stringify(f)}); process.stdout.write('open\\n'); for (;;) await s.write(Buffer.alloc(1 << 16)); })();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(leftovers().length, 1);
    child.kill('SIGTERM');
    const code = child.exitCode ?? await new Promise((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 143);
    assert.deepEqual(leftovers(), []);
    assert.equal(fs.existsSync(f), false);
  });
});

// core/io's one bounded way to read: regular files only unless a special file is named on purpose, a size cap
// checked before reading, opens that never block on a FIFO, reads that stop at the cap.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../../src/core/io/errors';
import { forEachLine, namedOnPurpose, openRegularSync, readInput, readInputSync } from '../../../src/core/io/read';
import { mkfifo } from '../../fuzz/inputs';

describe('core/io: reading inputs', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-io-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const refused = async (p: Promise<unknown> | (() => unknown), problem: string, re: RegExp) => {
    try {
      if (typeof p === 'function') p(); else await p;
    } catch (e) {
      assert.ok(e instanceof InputError, `InputError expected, got ${(e as Error).name}: ${(e as Error).message}`);
      assert.equal(e.problem, problem, e.message);
      assert.match(e.message, re);
      return;
    }
    assert.fail('expected a refusal');
  };

  it('reads a regular file, and refuses one over the cap before reading it, saying how big it is', async () => {
    const f = path.join(dir, 'a.yaml');
    fs.writeFileSync(f, 'model: x\n');
    assert.equal((await readInput(f, { maxBytes: 100 })).toString(), 'model: x\n');
    assert.equal(readInputSync(f, { maxBytes: 100 }).toString(), 'model: x\n');
    // Sparse: 3 GiB on paper, nothing on disk; refused from fstat, so the test costs no memory.
    const big = path.join(dir, 'big.kvlens.yaml');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 3 * 1024 ** 3);
    const rss = process.memoryUsage().rss;
    await refused(readInput(big, { maxBytes: 4 << 20, what: 'config' }), 'too-large', /is 3\.0 GiB: larger than the 4\.0 MiB KV Lens reads for a config/);
    assert.ok(process.memoryUsage().rss - rss < 64 << 20);
  });

  it('refuses a FIFO at once, without blocking the open, and names it', async function () {
    const f = path.join(dir, 'f.kvlens.yaml');
    if (!mkfifo(f)) this.skip();
    const t0 = Date.now();
    await refused(readInput(f, { maxBytes: 1 << 20, what: 'config' }), 'not-regular', /is a FIFO \(named pipe\), not a regular file/);
    await refused(() => openRegularSync(f, { what: 'model' }), 'not-regular', /FIFO/);
    await refused(() => readInputSync(f, { maxBytes: 10 }), 'not-regular', /FIFO/);
    assert.ok(Date.now() - t0 < 2000);
  });

  it('refuses a symlink to /dev/zero and says where it points; /dev/zero named itself is read only up to the cap', async () => {
    const z = path.join(dir, 'z.kvlens.yaml');
    fs.symlinkSync('/dev/zero', z);
    await refused(readInput(z, { maxBytes: 1 << 20, what: 'config' }), 'not-regular', /character device \(a symbolic link to \/dev\/zero\)/);
    assert.equal(namedOnPurpose('/dev/zero'), true);
    assert.equal(namedOnPurpose(z), false);
    const rss = process.memoryUsage().rss;
    await refused(readInput('/dev/zero', { maxBytes: 1 << 20, what: 'config' }), 'too-large', /larger than the 1\.0 MiB/);
    assert.ok(process.memoryUsage().rss - rss < 64 << 20);
  });

  it('refuses folders and missing files with words, not errno codes', async () => {
    await refused(readInput(dir, { maxBytes: 10, what: 'config' }), 'directory', /is a folder, not a config file/);
    await refused(readInput(path.join(dir, 'nope'), { maxBytes: 10 }), 'missing', /no such file/);
  });

  it('reads a pipe named on purpose (a FIFO with a writer), and times out on one that never writes', async function () {
    this.timeout(10_000);
    const f = path.join(dir, 'p');
    if (!mkfifo(f)) this.skip();
    // A writer in another process (a blocking open on its side), as a shell's process substitution would be.
    const w = spawn(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(f)}, 'model: piped\\n')`], { stdio: 'ignore' });
    const got = await readInput(f, { maxBytes: 1 << 20, allowSpecial: true });
    assert.equal(got.toString(), 'model: piped\n');
    if (w.exitCode === null) await new Promise((r) => w.on('exit', r));
    // A writer that holds the pipe open and sends nothing: the read gives up after the idle timeout.
    const hold = spawn(process.execPath, ['-e', `const fd=require('fs').openSync(${JSON.stringify(f)}, 'w'); setTimeout(()=>{}, 20000)`], { stdio: 'ignore' });
    try {
      const t0 = Date.now();
      await refused(readInput(f, { maxBytes: 1 << 20, allowSpecial: true, idleTimeoutMs: 500 }), 'timeout', /nothing arrived for \d+ s; stopped waiting/);
      assert.ok(Date.now() - t0 < 4000);
    } finally {
      hold.kill('SIGKILL');
    }
  });

  it('streams lines, truncating an endless one at the line cap and refusing a file over the size cap', async () => {
    const f = path.join(dir, 'r.jsonl');
    fs.writeFileSync(f, `a\r\n${'x'.repeat(5000)}\n\nlast`);
    const seen: [string, number, boolean][] = [];
    await forEachLine(f, { maxBytes: 1 << 20, maxLineBytes: 100 }, (l, n, t) => seen.push([l.slice(0, 3), n, t]));
    assert.deepEqual(seen, [['a', 1, false], ['xxx', 2, true], ['', 3, false], ['las', 4, false]]);
    await refused(forEachLine(f, { maxBytes: 100 }, () => undefined), 'too-large', /larger than/);
    await forEachLine(path.join(dir, 'missing.jsonl'), { maxBytes: 10, missingIsEmpty: true }, () => assert.fail('no lines'));
  });
});

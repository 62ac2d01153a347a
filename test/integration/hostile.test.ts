// Issue 9's hostile inputs in the real editor: each one gets its diagnostics (files over the editor's limits get
// one clear error), and the extension host keeps answering — its event loop is watched the whole time (a freeze
// shows as a long gap between 50 ms ticks), and an edit round trip on a small file, with the worst file open and
// being typed into, stays fast. The files are written into the
// workspace copy at run time (they are generated, some are megabytes).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, codeOf, kvDiagnostics, open, waitFor, workspaceDir } from './helpers';

/**
 * A stall is a gap between two ticks of a 50 ms timer in the extension host. Its CPU time (the host's own work in
 * the gap) must stay under 2.5 s — VS Code calls a host unresponsive after 3 s — and its wall time under 10 s: on
 * this shared 2-core machine the wall time of a gap mostly measures the other work running.
 */
const MAX_STALL_CPU_MS = 2500;
const MAX_STALL_WALL_MS = 10_000;

interface Case { name: string; text: () => string; expect: (codes: string[]) => boolean; what: string }

const CASES: Case[] = [
  {
    name: 'flags.kvlens.yaml', what: '60,000 repeated flags: 100 duplicate-flag warnings and one note for the rest',
    text: () => `model: meta-llama/Llama-3.1-8B-Instruct\nengine:\n  kind: llama.cpp\n  args: "${'-c 4096 '.repeat(60_000)}"\n`,
    expect: (c) => c.filter((x) => x === 'duplicate-flag').length === 100 && c.includes('diagnostics-truncated'),
  },
  {
    name: 'flags-130k.kvlens.yaml', what: '130,000 repeated flags (1 MB): over the editor\'s 512 KiB, one clear error',
    text: () => `model: meta-llama/Llama-3.1-8B-Instruct\nengine:\n  kind: llama.cpp\n  args: "${'-c 4096 '.repeat(130_000)}"\n`,
    expect: (c) => c.length === 1 && c[0] === 'file-too-large',
  },
  {
    name: 'np.kvlens.yaml', what: 'does not fit, with -np 2147483647',
    text: () => 'model: meta-llama/Llama-3.1-8B-Instruct\nengine: {kind: llama.cpp, args: "-c 8192 -np 2147483647"}\ntargets: [rtx-4090]\n',
    expect: (c) => c.includes('memory-does-not-fit'),
  },
  {
    name: 'model.kvlens.yaml', what: 'a 400 KB model string: model not found, the message shortened',
    text: () => `model: ${'m'.repeat(400_000)}\nengine: {kind: llama.cpp}\n`,
    expect: (c) => c.includes('model-not-found') || c.includes('unknown-model'),
  },
  {
    name: 'deep.kvlens.yaml', what: '100,000 `[`: too deep',
    text: () => `a: ${'['.repeat(100_000)}\n`, expect: (c) => c.includes('too-deep'),
  },
  {
    name: 'block.kvlens.yaml', what: '5,000 levels of `- `: too deep',
    text: () => `${'- '.repeat(5000)}x\n`, expect: (c) => c.includes('too-deep'),
  },
  {
    name: 'target.kvlens.yaml', what: 'memoryGiB 1e308: an invalid target',
    text: () => 'model: meta-llama/Llama-3.1-8B-Instruct\nengine: {kind: llama.cpp, args: "-c 4096"}\ntargets: [{id: big, memoryGiB: 1e308, bandwidthGBs: 1000}]\n',
    expect: (c) => c.includes('invalid-target'),
  },
  { name: 'alias.kvlens.yaml', what: 'an undefined alias', text: () => 'model: *nope\nengine: {kind: llama.cpp}\n', expect: (c) => c.includes('yaml-undefined-alias') },
  { name: 'binary.kvlens.yaml', what: 'a !!binary value', text: () => 'model: !!binary AAAAAAAAAAA=\nengine: {kind: llama.cpp}\n', expect: (c) => c.includes('yaml-binary') },
  {
    name: 'cr.kvlens.yaml', what: 'CR-only line ends: the unknown flag on line 2, not an empty file',
    text: () => 'model: meta-llama/Llama-3.1-8B-Instruct\rengine: {kind: llama.cpp, args: "-c 4096 --no-such-flag"}\rtargets: [h100-sxm]\r',
    expect: (c) => c.includes('unknown-flag') && !c.includes('empty-file'),
  },
  {
    name: 'big-llama-swap.yaml', what: '75,000 models (3.4 MB): over the editor\'s 512 KiB, one clear error',
    text: () => 'models:\n' + Array.from({ length: 75_000 }, (_, i) => `  m${i}:\n    cmd: llama-server -m small.gguf\n`).join(''),
    expect: (c) => c.length === 1 && c[0] === 'file-too-large',
  },
  {
    name: 'mid-llama-swap.yaml', what: '10,000 models (0.4 MB): analysed, 100 missing-proxy warnings and a note',
    text: () => 'models:\n' + Array.from({ length: 10_000 }, (_, i) => `  m${i}:\n    cmd: llama-server -m small.gguf\n`).join(''),
    expect: (c) => c.includes('diagnostics-truncated') && c.filter((x) => x === 'missing-proxy').length === 100,
  },
];

suite('hostile inputs in the editor', () => {
  let stall = 0;
  let stallCpu = 0;
  let worst = '';
  let timer: NodeJS.Timeout | undefined;
  let current = '';
  let dir: string;

  suiteSetup(async function () {
    this.timeout(120_000);
    await api();
    dir = path.join(workspaceDir(), 'hostile');
    fs.mkdirSync(dir, { recursive: true });
    for (const c of CASES) fs.writeFileSync(path.join(dir, c.name), c.text());
    // The host's pulse: a 50 ms timer; the longest gap between two ticks is the longest freeze.
    let last = Date.now();
    let lastCpu = process.cpuUsage();
    timer = setInterval(() => {
      const now = Date.now();
      const cpu = process.cpuUsage();
      const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
      if (now - last - 50 > stall) stall = now - last - 50;
      if (cpuMs > stallCpu) { stallCpu = cpuMs; worst = current; }
      last = now;
      lastCpu = cpu;
    }, 50);
  });
  suiteTeardown(async () => {
    clearInterval(timer);
    await closeAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    test(`${c.name}: ${c.what}`, async function () {
      this.timeout(120_000);
      current = c.name;
      const ed = await open(`hostile/${c.name}`);
      let codes: string[] = [];
      await waitFor(`diagnostics for ${c.name}`, () => {
        codes = kvDiagnostics(ed.document.uri).map(codeOf);
        return c.expect(codes) ? true : undefined;
      }, 90_000).catch((e) => { assert.fail(`${String(e)}; last codes: ${JSON.stringify([...new Set(codes)])}`); });
      assert.ok(codes.length <= 1001, `${codes.length} diagnostics reached the editor`);
      assert.ok(!codes.includes('internal-error'));
      assert.ok(stallCpu < MAX_STALL_CPU_MS && stall < MAX_STALL_WALL_MS, `the extension host stalled ${stall} ms (${Math.round(stallCpu)} ms of CPU, while ${worst} was analysed)`);
    });
  }

  test('with the worst files open, an edit round trip on a small file stays fast and typing in the worst file never stalls the host', async function () {
    this.timeout(120_000);
    current = 'typing';
    const big = (await open('hostile/flags.kvlens.yaml')).document;
    const small = (await open('valid.kvlens.yaml')).document;
    const service = (await api()).analyses;
    const times: number[] = [];
    const insert = async (doc: vscode.TextDocument, at: vscode.Position, text: string) => {
      const e = new vscode.WorkspaceEdit();
      e.insert(doc.uri, at, text);
      assert.ok(await vscode.workspace.applyEdit(e));
    };
    for (let i = 0; i < 3; i++) {
      // Type into the worst file (a comment at its end: each keystroke re-analyses 60,000 flags)...
      await insert(big, big.lineAt(big.lineCount - 1).range.end, i === 0 ? '\n# x' : 'x');
      // ...and, meanwhile, edit the small one and wait for its new analysis.
      const t0 = Date.now();
      await insert(small, new vscode.Position(0, 0), '#');
      await waitFor('the small file re-analysed', () => service.current(small), 60_000);
      times.push(Date.now() - t0);
    }
    await waitFor('the worst file re-analysed after typing', () => service.current(big), 90_000);
    console.log(`      small-file edit round trips: ${times.join(', ')} ms; longest host stall in the suite: ${stall} ms, most CPU in one stall: ${Math.round(stallCpu)} ms (${worst})`);
    assert.ok(Math.max(...times) < 15_000, `round trips ${times.join(', ')} ms`);
    assert.ok(stallCpu < MAX_STALL_CPU_MS && stall < MAX_STALL_WALL_MS, `the extension host stalled ${stall} ms (${Math.round(stallCpu)} ms of CPU, while ${worst} was analysed)`);
  });
});

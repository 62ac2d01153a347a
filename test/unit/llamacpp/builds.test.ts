// llama.cpp flag tables per build: the bundled build (default) and an upstream build tag, each generated from
// that build's common/arg.cpp. Expectations from those files: b8914 still has --mmap/--mlock/--draft-max and no
// --load-mode; the bundled build has --load-mode and --spec-draft-n-max and refuses --draft-max ("the argument has
// been removed. use --spec-draft-n-max ...").
import * as assert from 'node:assert/strict';
import { analyzeText } from '../../../src/core/formats/analyze';
import { LLAMA_BUILDS, resolveLlamaBuild } from '../../../src/core/formats/llamacpp/flags';
import { parseLlamaArgs } from '../../../src/core/formats/llamacpp/parse';

const codes = (args: string, build?: string): [string, string][] =>
  parseLlamaArgs(`llama-server -m m.gguf ${args}`, { build }).issues.filter((i) => i.severity !== 'information').map((i) => [i.code, i.severity]);

describe('llama.cpp builds', () => {
  it('resolves bundled (default), upstream and build numbers to a table', () => {
    assert.equal(resolveLlamaBuild().id, 'bundled');
    assert.equal(resolveLlamaBuild('bundled').id, 'bundled');
    assert.equal(resolveLlamaBuild('upstream').id, 'b8914');
    assert.equal(resolveLlamaBuild('b9000').id, 'b8914', 'the newest table not newer than the build');
    assert.equal(resolveLlamaBuild('8914').id, 'b8914');
    assert.equal(resolveLlamaBuild('b5000').id, 'b8914', 'older than every table: the oldest');
    for (const b of LLAMA_BUILDS) assert.ok(b.specs.length > 250, `${b.id}: ${b.specs.length} flags`);
    assert.match(resolveLlamaBuild('b8914').label, /^llama\.cpp b8914 \(ggml-org\/llama\.cpp @[0-9a-f]{7}, \d{4}-\d\d-\d\d\)$/);
  });

  it('--mmap / --mlock / --draft-max: accepted by b8914, replaced in the bundled build with the replacement named', () => {
    assert.deepEqual(codes('--mmap --mlock --draft-max 8', 'b8914'), []);
    const bundled = parseLlamaArgs('llama-server -m m.gguf --mlock --draft-max 8').issues;
    assert.deepEqual(bundled.map((i) => i.code), ['removed-flag', 'removed-flag']);
    assert.match(bundled[0].message, /-lm mlock/);
    assert.match(bundled[1].message, /--spec-draft-n-max/);
  });

  it('--load-mode / --spec-draft-n-max: unknown to b8914, which says the bundled build has them', () => {
    const issues = parseLlamaArgs('llama-server -m m.gguf -lm mmap --spec-draft-n-max 8', { build: 'b8914' }).issues;
    assert.deepEqual(issues.map((i) => i.code), ['unknown-flag', 'unknown-flag']);
    assert.match(issues[0].message, /\(in llama\.cpp b8914 .*\)\. the llama\.cpp bundled with node-llama-cpp .* has it/);
    assert.deepEqual(codes('-lm mmap --spec-draft-n-max 8'), []);
  });

  it('bare -fa followed by a flag is an error in both builds, naming the table', () => {
    for (const build of ['bundled', 'b8914']) {
      const issues = parseLlamaArgs('llama-server -m m.gguf -fa --port 8080', { build }).issues;
      assert.deepEqual(issues.map((i) => i.code), ['fa-needs-value'], build);
      assert.ok(issues[0].message.includes(resolveLlamaBuild(build).label), issues[0].message);
    }
  });

  it('a deprecated flag is a warning with llama.cpp\'s own words, in each build that has it', () => {
    for (const build of ['bundled', 'b8914']) {
      const issues = parseLlamaArgs('llama-server -m m.gguf -dt 0.1', { build }).issues;
      assert.deepEqual(issues.map((i) => [i.code, i.severity]), [['deprecated-flag', 'warning']], build);
      assert.ok(issues[0].message.includes('--defrag-thold is deprecated and no longer necessary to specify'), issues[0].message);
      assert.ok(issues[0].message.includes(resolveLlamaBuild(build).label), issues[0].message);
    }
  });

  it('the build reaches llama-swap files, shell scripts and llama.cpp profiles', async () => {
    const swap = 'models:\n  a:\n    cmd: llama-server --port ${PORT} -m /m/a.gguf --mlock\n';
    const rs = async (build?: string): Promise<string[]> =>
      (await analyzeText(swap, '/x/config.yaml', { rules: [], llamaCppBuild: build })).diagnostics.filter((d) => d.severity !== 'information').map((d) => d.code);
    assert.deepEqual(await rs(), ['removed-flag']);
    assert.deepEqual(await rs('b8914'), []);
    const sh = '#!/bin/sh\nllama-server -m /m/a.gguf --mmap -c 4096\n';
    const a = await analyzeText(sh, '/x/serve.sh', { rules: [], llamaCppBuild: 'b8914' });
    assert.deepEqual(a.diagnostics.filter((d) => d.severity !== 'information'), []);
    const profile = 'name: p\nmodel: /m/a.gguf\nengine:\n  kind: llama.cpp\n  version: b8914\n  args: "-c 4096 --mlock"\nworkload: {}\ntargets: [rtx-4090]\n';
    const p = await analyzeText(profile, '/x/p.kvlens.yaml', { rules: [] });
    assert.ok(!p.diagnostics.some((d) => d.code === 'removed-flag'), JSON.stringify(p.diagnostics));
  });
});

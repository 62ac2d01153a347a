import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createModelResolver } from '../../../src/core/models/resolve';
import { writeGguf } from '../../../src/core/models/ggufWrite';
import { findCatalogModel } from '../../../src/core/models/catalog';
import { tinyLlamaSpec } from './tinyLlama';

describe('models/resolve', () => {
  let dir: string;
  let gguf: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-resolve-'));
    fs.mkdirSync(path.join(dir, 'models', 'qwen3'), { recursive: true });
    gguf = path.join(dir, 'models', 'tiny.gguf');
    await writeGguf(gguf, tinyLlamaSpec());
    fs.writeFileSync(path.join(dir, 'models', 'qwen3', 'config.json'), JSON.stringify(findCatalogModel('Qwen/Qwen3-8B')!.config));
    fs.mkdirSync(path.join(dir, 'ggufdir'));
    fs.copyFileSync(gguf, path.join(dir, 'ggufdir', 'b.gguf'));
    fs.copyFileSync(gguf, path.join(dir, 'ggufdir', 'a.gguf'));
    fs.mkdirSync(path.join(dir, 'empty'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('resolves a relative .gguf against the base folder', async () => {
    const r = await createModelResolver().resolve('./models/tiny.gguf', dir);
    assert.equal(r.kind, 'gguf');
    assert.equal(r.path, gguf);
    assert.equal(r.descriptor?.architecture, 'llama');
    assert.equal(r.descriptor?.source.path, gguf);
  });

  it('resolves a config.json, and a folder holding one', async () => {
    const resolver = createModelResolver();
    const file = await resolver.resolve('models/qwen3/config.json', dir);
    assert.equal(file.kind, 'hf-config');
    assert.equal(file.descriptor?.architecture, 'qwen3');
    assert.equal(file.descriptor?.name, 'qwen3');
    const folder = await resolver.resolve('models/qwen3', dir);
    assert.equal(folder.kind, 'hf-config');
    assert.equal(folder.path, path.join(dir, 'models', 'qwen3', 'config.json'));
  });

  it('a folder of GGUF files without config.json: the first by name, said in the notes', async () => {
    const r = await createModelResolver().resolve('ggufdir', dir);
    assert.equal(r.kind, 'gguf');
    assert.equal(path.basename(r.path!), 'a.gguf');
    assert.ok(r.descriptor?.notes.some((n) => /2 GGUF files: using a.gguf/.test(n)));
    const empty = await createModelResolver().resolve('empty', dir);
    assert.equal(empty.kind, 'error');
    assert.match(empty.error!, /folder without config.json or a .gguf file/);
  });

  it('resolves catalog ids and aliases when no such path exists', async () => {
    const r = await createModelResolver().resolve('meta-llama/Llama-3.1-70B-Instruct', dir);
    assert.equal(r.kind, 'catalog');
    assert.equal(r.descriptor?.layers, 80);
    assert.equal(r.descriptor?.source.id, 'meta-llama/Llama-3.1-70B-Instruct');
    assert.equal((await createModelResolver().resolve('qwen3-30b-a3b', dir)).descriptor?.moe?.experts, 128);
  });

  it('a missing path is `missing` with the absolute path; an unknown id suggests close catalog ids', async () => {
    const r = await createModelResolver().resolve('./models/nope.gguf', dir);
    assert.equal(r.kind, 'missing');
    assert.equal(r.path, path.join(dir, 'models', 'nope.gguf'));
    assert.match(r.error!, /model file not found/);
    const typo = await createModelResolver().resolve('meta-llama/Llama-3.1-8B-Instruc', dir);
    assert.equal(typo.kind, 'missing');
    assert.match(typo.error!, /did you mean meta-llama\/Llama-3.1-8B-Instruct/);
    assert.equal((await createModelResolver().resolve('   ', dir)).kind, 'error');
  });

  it('expands ~ to the home folder', async () => {
    const r = await createModelResolver({ homeDir: path.join(dir, 'models') }).resolve('~/tiny.gguf', '/elsewhere');
    assert.equal(r.kind, 'gguf');
    assert.equal(r.path, gguf);
  });

  it('hostile or broken files are `error` results with the reason, never exceptions', async () => {
    const bad = path.join(dir, 'bad.gguf');
    const bytes = fs.readFileSync(gguf);
    fs.writeFileSync(bad, bytes.subarray(0, 5000));
    const r = await createModelResolver().resolve(bad, dir);
    assert.equal(r.kind, 'error');
    assert.match(r.error!, /truncated GGUF/);
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"model_type": "llama",');
    const j = await createModelResolver().resolve('broken.json', dir);
    assert.equal(j.kind, 'error');
    assert.match(j.error!, /not valid JSON/);
    fs.writeFileSync(path.join(dir, 'array.json'), '[1,2]');
    assert.match((await createModelResolver().resolve('array.json', dir)).error!, /must be a JSON object/);
    // A GGUF without the .gguf extension is recognised by its magic.
    fs.copyFileSync(gguf, path.join(dir, 'model.bin'));
    assert.equal((await createModelResolver().resolve('model.bin', dir)).kind, 'gguf');
    assert.equal((await createModelResolver().resolve(undefined as unknown as string, dir)).kind, 'error');
  });

  it('caches by path + mtime + size: an unchanged file is never re-read, a changed one is', async () => {
    const file = path.join(dir, 'cached.gguf');
    fs.copyFileSync(gguf, file);
    // Whole seconds, so setting the same mtime again reproduces it exactly.
    const when = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    fs.utimesSync(file, when, when);
    const st = fs.statSync(file);
    const resolver = createModelResolver();
    const first = await resolver.resolve(file, dir);
    assert.equal(first.kind, 'gguf');
    // Same size and mtime but garbage inside: a cached result proves the file was not read again.
    fs.writeFileSync(file, Buffer.alloc(st.size, 0x41));
    fs.utimesSync(file, when, when);
    const second = await resolver.resolve(file, dir);
    assert.equal(second.kind, 'gguf');
    second.descriptor!.layers = 99;
    assert.equal((await resolver.resolve(file, dir)).descriptor!.layers, first.descriptor!.layers, 'callers get copies');
    // A new mtime invalidates the entry.
    fs.utimesSync(file, when, new Date(when.getTime() + 5000));
    const third = await resolver.resolve(file, dir);
    assert.equal(third.kind, 'error');
    assert.match(third.error!, /not a GGUF file/);
    // A fresh resolver (or clear()) starts empty.
    resolver.clear();
    assert.equal((await resolver.resolve(file, dir)).kind, 'error');
  });

  it('reads the published config.json fixtures as model folders', async () => {
    const fixtures = path.resolve(__dirname, '../../../../test/fixtures/models');
    const resolver = createModelResolver();
    const gemma = await resolver.resolve('gemma-3-27b-it', fixtures);
    assert.equal(gemma.kind, 'hf-config');
    assert.equal(gemma.descriptor?.name, 'gemma-3-27b-it');
    assert.deepEqual([gemma.descriptor?.layers, gemma.descriptor?.vocabSize, gemma.descriptor?.slidingWindow], [62, 262208, 1024]);
    assert.equal(gemma.descriptor?.layerKinds.filter((k) => k === 'full').length, 10);
    const qwen = await resolver.resolve('./Qwen2.5-7B-Instruct/', fixtures);
    assert.ok(qwen.descriptor?.layerKinds.every((k) => k === 'full'), 'use_sliding_window false');
    assert.equal(qwen.descriptor?.params, 7_615_616_512, 'the count transformers reports for Qwen2.5-7B');
    const v3 = await resolver.resolve('DeepSeek-V3', fixtures);
    assert.equal(v3.descriptor?.weightsType, 'fp8');
    assert.equal(v3.descriptor?.headDimK, 576);
    for (const r of [gemma, qwen, v3]) assert.deepEqual(r.descriptor?.missing, []);
  });

  it('is fast on repeat: 1,000 cached resolves in well under a second', async () => {
    const resolver = createModelResolver();
    await resolver.resolve('./models/tiny.gguf', dir);
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) await resolver.resolve('./models/tiny.gguf', dir);
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
  });
});

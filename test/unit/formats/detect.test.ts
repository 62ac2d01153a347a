import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectFormat, topLevelYamlKeys } from '../../../src/core/formats/detect';
import { globMatch } from '../../../src/core/formats/glob';
import { EXAMPLES, FIXTURES } from './helpers';

const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), 'utf8');

describe('formats/detect', () => {
  it('detects by file name', () => {
    assert.equal(detectFormat('/a/b/llama.kvlens.yaml'), 'kvlens-profile');
    assert.equal(detectFormat('C:\\x\\llama.kvlens.yml'), 'kvlens-profile');
    assert.equal(detectFormat('p.KVLENS.json'), 'kvlens-profile');
    assert.equal(detectFormat('my-vllm.kvlens.yaml'), 'kvlens-profile', 'a profile name wins over vllm in it');
    assert.equal(detectFormat('deploy/vllm-70b.yaml'), 'vllm');
    assert.equal(detectFormat('serve_vllm.json'), 'vllm');
    assert.equal(detectFormat('config.llama-swap.yml'), 'llama-swap');
    assert.equal(detectFormat('llama-swap.yaml'), 'llama-swap');
    assert.equal(detectFormat('vllm.txt'), undefined);
    assert.equal(detectFormat('config.yaml'), undefined, 'no text, no guess');
  });

  it('lets user associations win, with globs', () => {
    const assoc = { 'deploy/**/*.yaml': 'vllm', '*.swap.{yml,yaml}': 'llama-swap', 'prof?.json': 'kvlens-profile' } as const;
    assert.equal(detectFormat('/repo/deploy/prod/a.yaml', undefined, assoc), 'vllm');
    assert.equal(detectFormat('/repo/deploy/a.yaml', undefined, assoc), 'vllm');
    assert.equal(detectFormat('/repo/other/a.yaml', undefined, assoc), undefined);
    assert.equal(detectFormat('/x/models.swap.yml', undefined, assoc), 'llama-swap');
    assert.equal(detectFormat('/x/prof1.json', undefined, assoc), 'kvlens-profile');
    assert.equal(detectFormat('/x/prof12.json', undefined, assoc), undefined);
    assert.equal(detectFormat('/x/vllm.yaml', undefined, { '**/vllm.yaml': 'llama-swap' }), 'llama-swap', 'association beats the name');
    assert.equal(detectFormat('/x/a.yaml', undefined, { '*.yaml': 'bogus' }), undefined, 'unknown formats are ignored');
  });

  it('matches globs like VS Code: basename without a slash, tails with one', () => {
    assert.ok(globMatch('*.yaml', '/a/b/c.yaml'));
    assert.ok(!globMatch('*.yaml', '/a/b/c.yml'));
    assert.ok(globMatch('b/*.yaml', '/a/b/c.yaml'));
    assert.ok(!globMatch('b/*.yaml', '/a/b/d/c.yaml'));
    assert.ok(globMatch('b/**/c.yaml', '/a/b/d/e/c.yaml'));
    assert.ok(globMatch('**/c.yaml', 'c.yaml'));
    assert.ok(globMatch('c.{yaml,yml}', 'x/c.yml'));
    assert.ok(globMatch('c?.yaml', 'c1.yaml'));
    assert.ok(globMatch('[ab].json', 'b.json'));
    assert.ok(!globMatch('a+b.json', 'aab.json'), 'regex characters are literal');
  });

  it('detects vLLM configs by content, and only confident ones', () => {
    assert.equal(detectFormat(path.join(FIXTURES, 'serve-config.yaml'), read(FIXTURES, 'serve-config.yaml')), 'vllm');
    assert.equal(detectFormat('x.json', '{"model": "a/b", "max_model_len": 4096, "tensor_parallel_size": 2}'), 'vllm');
    assert.equal(detectFormat('x.yaml', 'model: a/b\nport: 8000\n'), undefined, 'model + port alone could be anything');
    assert.equal(detectFormat('x.yaml', 'model: a/b\nmax-model-len: 4096\nreplicas: 3\n'), undefined, 'a key vLLM does not have');
    // A compose file whose service runs vllm/vllm-openai is a compose file with a serve command, not a vLLM config.
    assert.equal(detectFormat(path.join(FIXTURES, 'docker-compose.yaml'), read(FIXTURES, 'docker-compose.yaml')), 'docker-compose');
    assert.equal(detectFormat(path.join(FIXTURES, 'docker-compose-web.yaml'), read(FIXTURES, 'docker-compose-web.yaml')), undefined);
    assert.equal(detectFormat(path.join(FIXTURES, 'workflow.yml'), read(FIXTURES, 'workflow.yml')), undefined);
    assert.equal(detectFormat('x.yaml', ''), undefined);
    assert.equal(detectFormat('x.yaml', '- a\n- b\n'), undefined);
    assert.equal(detectFormat('notes.md', 'max-model-len: 4096\ntensor-parallel-size: 2\n'), undefined, 'only YAML/JSON names');
  });

  it('detects llama-swap and profiles by content', () => {
    const swap = read(EXAMPLES, 'llama-swap.yaml');
    assert.equal(detectFormat('models.yaml', swap), 'llama-swap');
    const prof = read(EXAMPLES, 'llama-3.1-8b.kvlens.yaml');
    assert.equal(detectFormat('deploy.yaml', prof), 'kvlens-profile');
    assert.equal(detectFormat('x.yaml', 'models:\n  - a\n  - b\n'), undefined);
  });

  it('reads top-level YAML keys without parsing', () => {
    assert.deepEqual(topLevelYamlKeys('# c\na: 1\n"b c": 2\n  nested: 3\n- item\nd:\n'), ['a', 'b c', 'd']);
  });
});

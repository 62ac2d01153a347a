import * as assert from 'node:assert/strict';
import { GPU_LAYERS_ALL, LLAMA_FLAGS } from '../../../src/core/formats/llamacpp/flags';
import { type ArgIssue, type LlamaArgsParse, parseLlamaArgs, type Span } from '../../../src/core/formats/llamacpp/parse';

function at(input: string, span: Span): string {
  return input.slice(span.offset, span.offset + span.length);
}
function codes(r: LlamaArgsParse): string[] {
  return r.issues.map((i) => i.code);
}
function only(r: LlamaArgsParse, code: string): ArgIssue {
  const found = r.issues.filter((i) => i.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(r.issues.map((i) => i.code))}`);
  return found[0];
}
/** Applies a fix's edits to the input (edits do not overlap). */
function applyFix(input: string, issue: ArgIssue): string {
  assert.ok(issue.fix, `no fix on ${issue.code}`);
  let out = input;
  for (const e of [...issue.fix.edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.newText + out.slice(e.offset + e.length);
  return out;
}

describe('llamacpp/parse', () => {
  describe('settings', () => {
    it('reads the issue example into EngineSettings, each setting at its value', () => {
      const input = '-c 32768 -np 4 -ctk q8_0 -ctv q8_0 -fa on -ngl 99';
      const r = parseLlamaArgs(input);
      assert.deepEqual(r.issues, []);
      assert.deepEqual(r.settings, {
        contextSize: 32768, parallel: 4, cacheTypeK: 'q8_0', cacheTypeV: 'q8_0', flashAttention: 'on', gpuLayers: 99,
      });
      assert.equal(at(input, r.spans.contextSize), '32768');
      assert.equal(at(input, r.spans.cacheTypeV), 'q8_0');
      assert.equal(r.spans.cacheTypeV.offset, 30);
      assert.equal(at(input, r.spans.flashAttention), 'on');
    });

    it('accepts long forms and aliases for the same settings', () => {
      const r = parseLlamaArgs('--ctx-size 8192 --parallel 2 --cache-type-k f16 --cache-type-v q4_0 --flash-attn auto --n-gpu-layers 10 --batch-size 1024 --ubatch-size 256 --threads 8 --swa-full --kv-unified --model m.gguf');
      assert.deepEqual(r.issues, []);
      assert.deepEqual(r.settings, {
        contextSize: 8192, parallel: 2, cacheTypeK: 'f16', cacheTypeV: 'q4_0', flashAttention: 'auto', gpuLayers: 10,
        batchSize: 1024, ubatchSize: 256, threads: 8, swaFull: true, unifiedKv: true, modelRef: 'm.gguf',
      });
      assert.equal(r.modelRef, 'm.gguf');
      assert.deepEqual(parseLlamaArgs('--gpu-layers 5').settings, { gpuLayers: 5 });
    });

    it('treats `_` as `-` in long options, as llama.cpp does', () => {
      const r = parseLlamaArgs('--ctx_size 4096 --n_gpu_layers 3');
      assert.deepEqual(r.issues, []);
      assert.deepEqual(r.settings, { contextSize: 4096, gpuLayers: 3 });
    });

    it('reads -ngl all/auto and negative boolean spellings', () => {
      assert.equal(parseLlamaArgs('-ngl all').settings.gpuLayers, GPU_LAYERS_ALL);
      const auto = parseLlamaArgs('-ngl auto');
      assert.equal(auto.settings.gpuLayers, undefined);
      assert.deepEqual(auto.issues, []);
      assert.equal(parseLlamaArgs('-no-kvu').settings.unifiedKv, false);
      assert.equal(parseLlamaArgs('--no-kv-unified').settings.unifiedKv, false);
    });

    it('accepts llama.cpp spellings of on/off/auto for -fa and normalises them', () => {
      assert.equal(parseLlamaArgs('-fa 1').settings.flashAttention, 'on');
      assert.equal(parseLlamaArgs('-fa enabled').settings.flashAttention, 'on');
      assert.equal(parseLlamaArgs('-fa false').settings.flashAttention, 'off');
      assert.equal(parseLlamaArgs('-fa -1').settings.flashAttention, 'auto');
    });

    it('knows the serving flags users paste, with no complaint', () => {
      const input = [
        '-m a.gguf -c 4096 -np 4 -ctk q4_1 -ctv iq4_nl -fa on -ngl 99 -b 2048 -ub 512 -t 8 -tb 16 -kvu --swa-full',
        '-sm row -ts 3,1 -mg 0 --host 0.0.0.0 --port 8080 -a my-model --jinja --chat-template chatml',
        '-md d.gguf -ngld 99 -ctkd q8_0 -ctvd q8_0 -cb --no-cont-batching -nkvo --rope-scaling yarn --rope-freq-base 1e6',
        '--rope-freq-scale 0.5 --yarn-orig-ctx 8192 -n 256 --temp 0.7 --top-k 40 --top-p 0.9 --min-p 0.05',
        '--repeat-penalty 1.1 --seed 42 -s 1 --api-key k --metrics --slots --ctx-checkpoints 8 -cram 8192 --cache-reuse 256',
        '-to 600 --log-disable -v -hf org/repo:Q4_K_M -hff f.gguf --mmproj p.gguf --lora l.gguf --override-kv a=int:1',
        '-ot exps=CPU --numa distribute --prio 2 -dev CUDA0 --props --embeddings --reranking --pooling mean -sp --no-webui',
        '--reasoning-format deepseek --reasoning-budget 0 -fit off -lm mlock',
      ].join(' ');
      const r = parseLlamaArgs(input);
      const unexpected = r.issues.filter((i) => i.code !== 'duplicate-flag');
      assert.deepEqual(unexpected, []);
      // --seed/-s and -cb/--no-cont-batching are one option each: the earlier spelling is overridden
      assert.deepEqual(r.issues.map((i) => at(input, i.span)), ['-cb', '--seed 42']);
    });
  });

  describe('program name', () => {
    for (const prog of ['llama-server', '/opt/llama.cpp/build/bin/llama-server', 'C:\\llama\\llama-server.exe', 'llama-server-ec9e0301', '${llama-server}']) {
      it(`skips a leading ${prog}`, () => {
        const r = parseLlamaArgs(`${prog} -c 4096`);
        assert.deepEqual(r.issues, []);
        assert.equal(r.program?.name, prog);
        assert.equal(r.settings.contextSize, 4096);
      });
    }
    it('switches to llama-bench flags (comma lists) for llama-bench', () => {
      const input = 'llama-bench -m a.gguf -p 512 -n 128 -ctk f16,q8_0,q4_0 -ctv f16,q8_0 -fa 1 -r 3 -o jsonl';
      const r = parseLlamaArgs(input);
      assert.equal(r.tool, 'llama-bench');
      assert.deepEqual(r.issues, []);
      assert.equal(r.settings.cacheTypeK, 'f16', 'the first value of a list stands for the deployment');
    });
    it('checks every item of a llama-bench list, at its own columns', () => {
      const input = 'llama-bench -ctk f16,q9_0,q4_0';
      const r = parseLlamaArgs(input);
      const issue = only(r, 'invalid-value');
      assert.equal(at(input, issue.span), 'q9_0');
    });
  });

  describe('issues', () => {
    it('unknown flag: error on the flag, with a single suggestion as a quick fix', () => {
      const input = '-c 4096 --ctx-sise 8192 -np 2';
      const r = parseLlamaArgs(input);
      const issue = only(r, 'unknown-flag');
      assert.equal(issue.severity, 'error');
      assert.equal(at(input, issue.span), '--ctx-sise');
      assert.match(issue.message, /Did you mean `--ctx-size`/);
      assert.equal(applyFix(input, issue), '-c 4096 --ctx-size 8192 -np 2');
      assert.equal(r.settings.parallel, 2, 'the value of the unknown flag is skipped, parsing goes on');
      assert.equal(r.issues.length, 1, 'one typo gives one diagnostic');
    });

    it('unknown flag with a wrong dash count suggests the right spelling', () => {
      const r = parseLlamaArgs('-ctx-size 4096');
      assert.match(only(r, 'unknown-flag').message, /`--ctx-size`/);
    });

    it('unknown flag with several close candidates lists them and offers no fix', () => {
      const r = parseLlamaArgs('-ctx 4096');
      const issue = only(r, 'unknown-flag');
      assert.match(issue.message, /Did you mean/);
      assert.equal(issue.fix, undefined);
    });

    it('an unrelated word gets no suggestion', () => {
      const issue = only(parseLlamaArgs('--frobnicate-everything'), 'unknown-flag');
      assert.doesNotMatch(issue.message, /Did you mean/);
    });

    it('a flag of another llama.cpp program is named as such', () => {
      const input = '-c 1 --prompt hello';
      const issue = only(parseLlamaArgs(input), 'wrong-program');
      assert.equal(at(input, issue.span), '--prompt');
      assert.match(issue.message, /not a llama-server flag/);
    });

    it('missing value at the end and before the next flag', () => {
      const a = parseLlamaArgs('-fa on -c');
      assert.equal(only(a, 'missing-value').span.offset, 7);
      const b = parseLlamaArgs('-c -np 4');
      assert.match(only(b, 'missing-value').message, /`-c` needs a value \(an integer\)/);
      assert.equal(b.settings.parallel, 4);
    });

    it('negative numbers are values, not flags', () => {
      const r = parseLlamaArgs('-np -1 --seed -1 -n -1');
      assert.deepEqual(r.issues, []);
      assert.equal(r.settings.parallel, -1);
    });

    it('wrong value types: int, float, layers', () => {
      const input = '-c k4 --temp hot -ngl many -t x8';
      const r = parseLlamaArgs(input);
      assert.deepEqual(codes(r), ['invalid-value', 'invalid-value', 'invalid-value', 'invalid-value']);
      assert.deepEqual(r.issues.map((i) => at(input, i.span)), ['k4', 'hot', 'many', 'x8']);
      assert.match(r.issues[0].message, /integer/);
      assert.match(r.issues[2].message, /`auto` or `all`/);
      assert.equal(r.settings.contextSize, undefined);
      // std::stoi reads a leading integer and stops: llama.cpp runs with 4 and 8 — a warning saying so, not an error.
      const lead = parseLlamaArgs('-c 4k -t 8.5');
      assert.deepEqual(lead.issues.map((i) => [i.severity, i.code, i.fix?.edits[0].newText]), [['warning', 'integer-prefix', undefined], ['warning', 'integer-prefix', '8']]);
      assert.equal(lead.settings.contextSize, 4);
    });

    it('enum value not allowed: lists what is allowed; a case slip gets a fix', () => {
      const input = '-ctk Q8_0 -ctv q8';
      const r = parseLlamaArgs(input);
      const [k, v] = r.issues;
      assert.equal(k.code, 'invalid-value');
      assert.match(k.message, /allowed: `f32`, `f16`, `bf16`, `q8_0`, `q4_0`, `q4_1`, `iq4_nl`, `q5_0`, `q5_1`/);
      assert.equal(applyFix(input, k), '-ctk q8_0 -ctv q8');
      assert.equal(at(input, v.span), 'q8');
      assert.match(v.message, /Did you mean `q8_0`/);
      assert.match(parseLlamaArgs('-sm diagonal').issues[0].message, /`none`, `layer`, `row`/);
      assert.match(parseLlamaArgs('-fa yes').issues[0].message, /`on`, `off`, `auto`/);
    });

    it('-np 0 is refused by llama-server', () => {
      assert.equal(only(parseLlamaArgs('-np 0'), 'invalid-value').severity, 'error');
    });

    it('duplicate flag: warning on the earlier, overridden one; the last value wins', () => {
      const input = '-c 4096 -np 2 --ctx-size 8192';
      const r = parseLlamaArgs(input);
      const issue = only(r, 'duplicate-flag');
      assert.equal(issue.severity, 'warning');
      assert.equal(at(input, issue.span), '-c 4096');
      assert.equal(r.settings.contextSize, 8192);
      assert.equal(at(input, r.spans.contextSize), '8192');
      assert.equal(at(input, issue.related![0]), '--ctx-size');
    });

    it('duplicate flag on a long command line (past the 32 flags the small lookup holds): still the earlier one', () => {
      // 40 different llama-server switches (no values), then the first again.
      const switches = LLAMA_FLAGS.filter((f) => (f.kind === 'none' || f.kind === 'bool') && f.tools.has('llama-server') && !f.removed && !f.deprecated)
        .map((f) => f.names.find((n) => n.startsWith('--')) ?? f.names[0]);
      assert.ok(switches.length >= 40, `${switches.length} switches`);
      for (const k of [0, 31, 32, 39]) {
        const input = [...switches.slice(0, 40), switches[k]].join(' ');
        const r = parseLlamaArgs(input);
        const issue = only(r, 'duplicate-flag');
        assert.equal(issue.span.offset, input.indexOf(switches[k] + ' '), `flag ${k}`);
      }
    });

    it('--flag=value is read but flagged: llama.cpp takes no `=` form', () => {
      const input = '--ctx-size=4096 --cache-type-v=q4_0';
      const r = parseLlamaArgs(input);
      assert.deepEqual(codes(r), ['equals-form', 'equals-form']);
      assert.equal(r.settings.contextSize, 4096);
      assert.equal(at(input, r.spans.contextSize), '4096');
      assert.equal(at(input, r.spans.cacheTypeV), 'q4_0');
      assert.equal(applyFix(input, r.issues[0]), '--ctx-size 4096 --cache-type-v=q4_0');
    });

    it('short flags with = are read the same way', () => {
      const input = '-c=4096 -ctv=q8_0';
      const r = parseLlamaArgs(input);
      assert.deepEqual(codes(r), ['equals-form', 'equals-form']);
      assert.deepEqual(r.settings, { contextSize: 4096, cacheTypeV: 'q8_0' });
    });

    it('an invalid value after = lands on the value part', () => {
      const input = '--cache-type-k=q7';
      const r = parseLlamaArgs(input);
      assert.equal(at(input, only(r, 'invalid-value').span), 'q7');
    });

    it('bare -fa is an error as llama.cpp gives it (it takes the next argument as its value), with a fix', () => {
      for (const [input, says] of [['-fa -c 4096', "unknown value for --flash-attn: '-c'"], ['-c 4096 -fa', 'expected value for argument']]) {
        const r = parseLlamaArgs(input);
        const issue = only(r, 'fa-needs-value');
        assert.equal(issue.severity, 'error');
        assert.ok(issue.message.includes(says), issue.message);
        assert.equal(r.settings.flashAttention, 'on');
        assert.equal(r.settings.contextSize, 4096);
        assert.match(applyFix(input, issue), /-fa on/);
      }
    });

    it('removed switches (--no-mmap, --mlock, --draft-max) warn and name the replacement', () => {
      const input = '--no-mmap --mlock --draft-max 16';
      const r = parseLlamaArgs(input);
      assert.deepEqual(codes(r), ['removed-flag', 'removed-flag', 'removed-flag']);
      assert.ok(r.issues.every((i) => i.severity === 'warning'));
      assert.equal(applyFix(input, r.issues[0]), '-lm none --mlock --draft-max 16');
      assert.match(r.issues[2].message, /--spec-draft-n-max/);
    });

    it('a stray positional word is an error', () => {
      const input = '-c 4096 4096';
      assert.equal(at(input, only(parseLlamaArgs(input), 'unexpected-argument').span), '4096');
    });

    it('unterminated quote', () => {
      assert.equal(only(parseLlamaArgs('-m "a.gguf'), 'unterminated-quote').span.offset, 3);
    });
  });

  describe('quantized V cache needs flash attention', () => {
    it('is an error on the -fa flag and value, naming the -ctv, with a fix to -fa on', () => {
      const input = '-c 8192 -ctv q8_0 -ngl 99 -fa off';
      const r = parseLlamaArgs(input);
      const issue = only(r, 'quantized-v-needs-fa');
      assert.equal(issue.severity, 'error');
      assert.equal(at(input, issue.span), '-fa off');
      assert.match(issue.message, /-ctv q8_0/);
      assert.match(issue.message, /quantized V cache requires flash_attn to be enabled/);
      assert.equal(at(input, issue.related![0]), 'q8_0');
      assert.equal(applyFix(input, issue), '-c 8192 -ctv q8_0 -ngl 99 -fa on');
    });

    for (const v of ['q8_0', 'q4_0', 'q4_1', 'iq4_nl', 'q5_0', 'q5_1']) {
      it(`fires for -ctv ${v}`, () => assert.deepEqual(codes(parseLlamaArgs(`-ctv ${v} -fa off`)), ['quantized-v-needs-fa']));
    }
    for (const v of ['f32', 'f16', 'bf16']) {
      it(`does not fire for -ctv ${v}`, () => assert.deepEqual(codes(parseLlamaArgs(`-ctv ${v} -fa off`)), []));
    }
    it('does not fire for a quantized K cache alone, nor with -fa on/auto or no -fa', () => {
      assert.deepEqual(codes(parseLlamaArgs('-ctk q4_0 -fa off')), []);
      assert.deepEqual(codes(parseLlamaArgs('-ctv q4_0 -fa on')), []);
      assert.deepEqual(codes(parseLlamaArgs('-ctv q4_0 -fa auto')), []);
      assert.deepEqual(codes(parseLlamaArgs('-ctv q4_0')), []);
    });
    it('uses the last -fa when it is repeated', () => {
      assert.deepEqual(codes(parseLlamaArgs('-fa off -ctv q4_0 -fa on')), ['duplicate-flag']);
    });
  });

  describe('array input', () => {
    it('takes items whole and locates issues by item index', () => {
      const r = parseLlamaArgs(['-c', '4096', '--cache-type-v', 'q4_0', '-fa', 'off', '--chat-template', '{% for m in messages %}']);
      const issue = only(r, 'quantized-v-needs-fa');
      assert.equal(issue.span.index, 4);
      assert.equal(issue.fix!.edits[0].index, 5);
      assert.equal(r.settings.contextSize, 4096);
      assert.deepEqual(r.spans.contextSize, { offset: 0, length: 4, index: 1 });
    });
    it('splits an item that holds a flag and its value', () => {
      const r = parseLlamaArgs(['-c 4096', '-np  4']);
      assert.deepEqual(r.issues, []);
      assert.deepEqual(r.spans.parallel, { offset: 5, length: 1, index: 1 });
    });
  });

  it('property: 3,000 random command lines never throw and every span and fix stays inside the input', () => {
    let seed = 99;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pieces = ['-c', '4096', '-fa', 'off', 'on', '-ctv', 'q4_0', '-ctk', 'Q8_0', '--ctx-sise', '--ctx-size=1', '-ngl', 'all',
      '"', "'", '\\', '\\\n', '#', ' ', ' ', '\n', '-', '--', '-1', '=', 'x', '--no-mmap', '-np', '0', '${PORT}', 'llama-server', '-m'];
    for (let n = 0; n < 3000; n++) {
      let input = '';
      const len = Math.floor(rnd() * 30);
      for (let i = 0; i < len; i++) input += pieces[Math.floor(rnd() * pieces.length)] + (rnd() < 0.7 ? ' ' : '');
      const r = parseLlamaArgs(input);
      const inside = (sp: Span): void => {
        assert.ok(sp.offset >= 0 && sp.length >= 0 && sp.offset + sp.length <= input.length, `${JSON.stringify(sp)} outside ${JSON.stringify(input)}`);
      };
      for (const i of r.issues) {
        inside(i.span);
        i.related?.forEach(inside);
        i.fix?.edits.forEach(inside);
        assert.ok(i.message && !/undefined|NaN/.test(i.message), i.message);
      }
      Object.values(r.spans).forEach(inside);
    }
  });
});

#!/usr/bin/env node
// Generates data/llama-cpp-archs.json — llama.cpp's architecture table as KV Lens needs it — from a llama.cpp
// checkout (read-only). Nothing here is typed by hand: every entry is read from the source files named below, and
// the output records the commit it came from.
//
//   git clone node_modules/node-llama-cpp/llama/gitRelease.bundle ~/.cache/kvlens/llama-src
//   node scripts/gen-arch-llama.mjs ~/.cache/kvlens/llama-src [--check]
//
// Read from the checkout:
//   src/llama-arch.cpp       LLM_ARCH_NAMES (enum → GGUF name), llm_arch_is_recurrent, llm_arch_is_hybrid
//   src/llama-model.cpp      which llama_model_<x> class serves each enum, create_memory (special caches, reuse,
//                            hybrid layer filters, archs without a KV cache)
//   src/models/models.h      class inheritance (a class without its own load_arch_hparams uses its parent's)
//   src/models/*.cpp         load_arch_hparams: sliding-window type/pattern/window rules, recurrent-layer rules,
//                            shared-KV layers, the hparams keys each architecture reads
//   conversion/*.py          @ModelBase.register("HFArchitecture", ...) → model_arch (convert_hf_to_gguf's HF → GGUF map)
//   gguf-py/gguf/constants.py MODEL_ARCH_NAMES (MODEL_ARCH.X → GGUF name)
// --check exits 1 when the committed file differs from what the checkout generates (CI can run it where a checkout exists).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

const args = process.argv.slice(2);
const check = args.includes('--check');
const src = args.find((a) => !a.startsWith('--'));
if (!src) {
  console.error('usage: node scripts/gen-arch-llama.mjs <llama.cpp checkout> [--check]');
  process.exit(2);
}
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const outFile = path.join(repoRoot, 'data', 'llama-cpp-archs.json');
const read = (rel) => fs.readFileSync(path.join(src, rel), 'utf8');

function gitCommit() {
  try {
    return execFileSync('git', ['-C', src, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Text of the function whose signature matches `re`, by brace matching from its first `{`. */
function functionBody(text, re) {
  const m = re.exec(text);
  if (!m) return undefined;
  let i = text.indexOf('{', m.index + m[0].length - 1);
  let depth = 0;
  const start = i;
  for (; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

const stripComments = (s) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

// ---- src/llama-arch.cpp -------------------------------------------------------------------------------------
const archCpp = read('src/llama-arch.cpp');
const namesBlock = /LLM_ARCH_NAMES\s*=\s*\{([\s\S]*?)\n\};/.exec(archCpp)?.[1] ?? '';
const enumToName = new Map();
for (const m of namesBlock.matchAll(/\{\s*(LLM_ARCH_\w+)\s*,\s*"([^"]+)"\s*\}/g)) enumToName.set(m[1], m[2]);
const casesOf = (fn) => new Set([...(functionBody(archCpp, new RegExp(`bool ${fn}\\s*\\(`)) ?? '').matchAll(/case (LLM_ARCH_\w+):/g)].map((m) => m[1]));
const recurrentEnums = casesOf('llm_arch_is_recurrent');
const hybridEnums = casesOf('llm_arch_is_hybrid');
const rollbackEnums = casesOf('llm_arch_supports_rs_rollback');

// ---- src/llama-model.cpp: enum → class ---------------------------------------------------------------------
const modelCpp = read('src/llama-model.cpp');
const enumToClass = new Map();
{
  let pending = [];
  for (const line of modelCpp.split('\n')) {
    const c = /^\s*case (LLM_ARCH_\w+):/.exec(line);
    if (c) { pending.push(c[1]); continue; }
    const r = /return new (llama_model_\w+)\(/.exec(line);
    if (r && pending.length) {
      for (const e of pending) if (!enumToClass.has(e)) enumToClass.set(e, r[1]);
      pending = [];
    } else if (line.trim() && !/^\s*(\{|\}|\/\/)/.test(line)) {
      pending = [];
    }
  }
}

// ---- create_memory ------------------------------------------------------------------------------------------
const createMemory = stripComments(functionBody(modelCpp, /llama_memory_i \* llama_model::create_memory\(/) ?? '');
const memory = new Map(); // enum → { kind, cache }
{
  // Top-level cases of the switch: runs of `case X:` followed by a `{ ... }` block.
  const re = /((?:\s*case LLM_ARCH_\w+:\s*)+)\{/g;
  let m;
  while ((m = re.exec(createMemory))) {
    const enums = [...m[1].matchAll(/LLM_ARCH_\w+/g)].map((x) => x[0]);
    // Block text up to the matching brace.
    let i = m.index + m[0].length - 1;
    let depth = 0;
    const start = i;
    for (; i < createMemory.length; i++) {
      if (createMemory[i] === '{') depth++;
      else if (createMemory[i] === '}' && --depth === 0) break;
    }
    const block = createMemory.slice(start, i + 1);
    re.lastIndex = i;
    let kind;
    if (/res\s*=\s*nullptr/.test(block) && !/new llama_/.test(block)) kind = 'none';
    else {
      const classes = [...new Set([...block.matchAll(/new (llama_[a-z0-9_]+)\(/g)].map((x) => x[1]))];
      kind = `special:${classes.join('+')}`;
    }
    for (const e of enums) memory.set(e, kind);
  }
}
const defaultBranch = createMemory.slice(createMemory.indexOf('default:'));
const mentioned = (snippet) => new Set([...snippet.matchAll(/LLM_ARCH_\w+/g)].map((x) => x[0]));
const reuseEnums = mentioned(/if \(([^)]*)\)\s*\{\s*reuse\s*=/.exec(defaultBranch)?.[1] ?? '');
const filterRules = new Map(); // enum → 'attn-and-recr-every-layer' | 'ff-zero' | 'trunk'
for (const m of defaultBranch.matchAll(/if \(([^{]*?)\)\s*\{\s*filter_attn\s*=\s*\[&\]\(uint32_t(?: il)?\)\s*\{\s*return ([^;]+);/g)) {
  const rule = /true/.test(m[2]) ? 'attn-and-recr-every-layer' : /n_ff\(il\) == 0/.test(m[2]) ? 'ff-zero' : /n_layer\(\)/.test(m[2]) ? 'trunk' : `unparsed:${m[2].trim()}`;
  for (const e of mentioned(m[1])) filterRules.set(e, rule);
}
const hybridIdxEnums = mentioned(/needs_mem_idx\s*=\s*\(([^;]*)\);/.exec(defaultBranch)?.[1] ?? '');

// ---- src/models: classes and their load_arch_hparams --------------------------------------------------------
const modelsH = read('src/models/models.h');
const parentOf = new Map();
for (const m of modelsH.matchAll(/struct (llama_model_\w+)\s*:\s*public (llama_model_\w+)/g)) parentOf.set(m[1], m[2]);
const hparamsOf = new Map(); // class → { file, body }
for (const f of fs.readdirSync(path.join(src, 'src/models')).filter((n) => n.endsWith('.cpp')).sort()) {
  const text = read(`src/models/${f}`);
  for (const m of text.matchAll(/void (llama_model_\w+)::load_arch_hparams\(/g)) {
    const body = functionBody(text.slice(m.index), /load_arch_hparams\(/);
    if (body) hparamsOf.set(m[1], { file: `src/models/${f}`, body: stripComments(body) });
  }
}
function hparamsFor(cls) {
  for (let c = cls; c; c = parentOf.get(c)) if (hparamsOf.has(c)) return hparamsOf.get(c);
  return undefined;
}

const unparsed = [];

/** The sliding-window rule of one load_arch_hparams body. */
function swaRule(arch, body) {
  const types = [...body.matchAll(/swa_type\s*=\s*LLAMA_SWA_TYPE_(\w+)/g)].map((m) => m[1].toLowerCase());
  const active = types.filter((t) => t !== 'none');
  if (!active.length) {
    // phi3: a window in the file is read and then explicitly disabled.
    return /set_swa_pattern\(1\)/.test(body) && /SLIDING_WINDOW/.test(body) ? { type: null, ignoresWindowKey: true } : undefined;
  }
  const rule = { type: active[0] };
  const keyCall = /get_key\(LLM_KV_ATTENTION_SLIDING_WINDOW\s*,\s*hparams\.n_swa(\s*,\s*false)?\)/.exec(body);
  rule.windowKey = keyCall ? (keyCall[1] ? 'optional' : 'required') : 'none';
  const defs = [...body.matchAll(/hparams\.n_swa\s*=\s*(\d+)\s*;/g)];
  if (defs.length) {
    rule.defaultWindow = Number(defs[0][1]);
    // A literal assigned after the key is read wins over the file (smallthinker).
    rule.defaultOverridesKey = keyCall ? defs[0].index > keyCall.index : true;
  }
  let p;
  if ((p = /load_swa_pattern\(ml,\s*(\d+)(?:,\s*(true|false))?\)/.exec(body))) {
    rule.pattern = { source: 'array-or-period', period: Number(p[1]), denseFirst: p[2] === 'true' };
  } else if ((p = /set_swa_pattern\((\d+)(?:,\s*(true|false))?\)/.exec(body))) {
    rule.pattern = { source: 'period', period: Number(p[1]), denseFirst: p[2] === 'true' };
  } else if (/get_arr\(LLM_KV_ATTENTION_SLIDING_WINDOW_PATTERN,\s*hparams\.is_swa_impl/.test(body)) {
    rule.pattern = { source: 'array' };
  } else if (/is_swa_impl\[il\]\s*=\s*!hparams\.is_recr_impl\[il\]/.test(body)) {
    rule.pattern = { source: 'non-recurrent-layers' };
  } else {
    unparsed.push(`${arch}: SWA type ${rule.type} without a recognised pattern`);
  }
  if (/found_swa\s*&&\s*hparams\.n_swa\s*==\s*0/.test(body)) rule.when = 'unless-window-zero';
  else if (/hparams\.n_swa\s*>\s*0\)/.test(body)) rule.when = 'window-positive';
  else if ((p = /if \(hparams\.n_layer\(\)\s*==\s*(\d+)\)\s*\{[^}]*swa_type/.exec(body))) rule.when = `layers-${p[1]}`;
  else rule.when = 'always';
  return rule;
}

/** Which layers keep a recurrent state instead of (or besides) a KV cache. */
function recurrentRule(arch, body, isRecurrentArch) {
  if (isRecurrentArch) return 'all';
  if (/std::fill\(hparams\.is_recr_impl\.begin\(\),\s*hparams\.is_recr_impl\.end\(\),\s*true\)/.test(body)) return 'all';
  if (/LLM_KV_ATTENTION_RECURRENT_LAYERS/.test(body) && /full_attn_interval/.test(body)) return 'recurrent-layers-or-interval';
  if (/is_recr_impl\[i\]\s*=\s*i < hparams\.n_layer\(\)\s*&&\s*hparams\.n_head_kv\(i\)\s*==\s*0\s*&&\s*hparams\.n_ff\(i\)\s*==\s*0/.test(body)) return 'kv-heads-and-ff-zero';
  if (/is_recr_impl\[\w+\]\s*=\s*hparams\.n_head_kv\(\w+\)\s*==\s*0/.test(body)) return 'kv-heads-zero';
  if (/is_recr_impl/.test(body)) {
    unparsed.push(`${arch}: recurrent layers set by a rule this generator does not recognise`);
    return 'unparsed';
  }
  return 'none';
}

/** Recurrent-state row sizes the architecture feeds llama_hparams::n_embd_r/n_embd_s with. */
function recurrentInputs(body) {
  const keys = [];
  for (const k of ['SSM_CONV_KERNEL', 'SSM_INNER_SIZE', 'SSM_STATE_SIZE', 'SSM_TIME_STEP_RANK', 'SSM_GROUP_COUNT', 'SHORTCONV_L_CACHE', 'WKV_HEAD_SIZE', 'TOKEN_SHIFT_COUNT', 'KDA_HEAD_DIM', 'LINEAR_ATTN_HEAD_DIM']) {
    if (new RegExp(`LLM_KV_${k}\\b`).test(body)) keys.push(k.toLowerCase());
  }
  return keys;
}

function kvFromStart(body) {
  const m = /n_layer_kv_from_start\s*=\s*([^;]+);/.exec(body);
  if (!m) return undefined;
  const v = m[1].trim();
  if (/^\d+$/.test(v)) return Number(v);
  if (/n_layer_all\s*-\s*\(int32_t\)\s*n_kv_shared_layers/.test(v)) return 'layers-minus-shared-kv-layers';
  unparsed.push(`n_layer_kv_from_start = ${v}`);
  return `unparsed:${v}`;
}

const archs = {};
for (const [e, name] of [...enumToName.entries()].sort((a, b) => a[1].localeCompare(b[1]))) {
  if (e === 'LLM_ARCH_UNKNOWN') continue;
  const cls = enumToClass.get(e);
  const hp = cls ? hparamsFor(cls) : undefined;
  const body = hp?.body ?? '';
  const entry = { enum: e };
  if (cls) entry.class = cls;
  if (hp) entry.file = hp.file;
  if (recurrentEnums.has(e)) entry.recurrent = true;
  if (hybridEnums.has(e)) entry.hybrid = true;
  if (rollbackEnums.has(e)) entry.recurrentRollback = true;
  const swa = hp ? swaRule(name, body) : undefined;
  if (swa) entry.swa = swa;
  const rec = recurrentRule(name, body, recurrentEnums.has(e));
  if (rec !== 'none') {
    entry.recurrentLayers = rec;
    entry.recurrentInputs = recurrentInputs(body);
  }
  const kvs = kvFromStart(body);
  if (kvs !== undefined) entry.kvLayersFromStart = kvs;
  if (/get_key\(LLM_KV_ATTENTION_KEY_LENGTH_MLA/.test(body)) entry.mla = true;
  const mem = memory.get(e);
  entry.memory = mem ?? (recurrentEnums.has(e) ? 'recurrent' : hybridEnums.has(e) ? (hybridIdxEnums.has(e) ? 'hybrid-idx' : 'hybrid') : 'kv');
  if (filterRules.has(e)) entry.hybridLayerFilter = filterRules.get(e);
  if (reuseEnums.has(e)) entry.reusesKvOfEarlierLayers = true;
  if (!cls && !mem) entry.note = 'no llama_model class: not loadable by this llama.cpp';
  archs[name] = entry;
}

// ---- conversion/*.py + gguf-py constants ---------------------------------------------------------------------
const constants = read('gguf-py/gguf/constants.py');
const pyArchNames = new Map();
for (const m of (/MODEL_ARCH_NAMES[^=]*=\s*\{([\s\S]*?)\n\}/.exec(constants)?.[1] ?? '').matchAll(/MODEL_ARCH\.(\w+)\s*:\s*"([^"]+)"/g)) pyArchNames.set(m[1], m[2]);
const pyClasses = new Map(); // class → { bases, arch, registers }
for (const f of fs.readdirSync(path.join(src, 'conversion')).filter((n) => n.endsWith('.py')).sort()) {
  const text = read(`conversion/${f}`);
  const re = /((?:@ModelBase\.register\(([\s\S]*?)\)\s*\n)|(?:@[^\n]*\n))*class (\w+)\(([^)]*)\):([\s\S]*?)(?=\n(?:@|class )|$)/g;
  let m;
  while ((m = re.exec(text))) {
    const decorators = m[0].slice(0, m[0].indexOf(`class ${m[3]}`));
    const registers = [];
    for (const d of decorators.matchAll(/@ModelBase\.register\(([\s\S]*?)\)\s*\n/g)) for (const s of d[1].matchAll(/"([^"]+)"/g)) registers.push(s[1]);
    const archM = /^\s{4}model_arch\s*=\s*gguf\.MODEL_ARCH\.(\w+)/m.exec(m[5]);
    pyClasses.set(m[3], { bases: m[4].split(',').map((s) => s.trim()).filter(Boolean), arch: archM?.[1], registers, file: `conversion/${f}` });
  }
}
function pyArch(cls, seen = new Set()) {
  const c = pyClasses.get(cls);
  if (!c || seen.has(cls)) return undefined;
  seen.add(cls);
  if (c.arch) return c.arch;
  for (const b of c.bases) {
    const a = pyArch(b, seen);
    if (a) return a;
  }
  return undefined;
}
const hfArchitectures = {};
for (const [cls, c] of [...pyClasses.entries()].sort()) {
  const a = pyArch(cls);
  if (!a || a === 'MMPROJ') continue;
  const name = pyArchNames.get(a);
  if (!name) continue;
  for (const r of c.registers) {
    if (hfArchitectures[r] && hfArchitectures[r].arch !== name) continue; // first text registration wins, like the map
    hfArchitectures[r] = { arch: name, converter: cls, file: c.file };
  }
}

const out = {
  $comment: 'Generated by scripts/gen-arch-llama.mjs from a llama.cpp checkout. Do not edit by hand; rerun the script.',
  source: {
    repository: 'ggml-org/llama.cpp',
    commit: gitCommit(),
    via: 'node-llama-cpp gitRelease.bundle (the engine KV Lens bundles)',
    files: ['src/llama-arch.cpp', 'src/llama-model.cpp', 'src/models/models.h', 'src/models/*.cpp', 'conversion/*.py', 'gguf-py/gguf/constants.py'],
  },
  generatorNotes: unparsed.sort(),
  archs,
  hfArchitectures: Object.fromEntries(Object.entries(hfArchitectures).sort((a, b) => a[0].localeCompare(b[0]))),
};
const text = JSON.stringify(out, null, 1) + '\n';
if (check) {
  const cur = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : '';
  if (cur !== text) {
    console.error(`${path.relative(repoRoot, outFile)} is out of date with ${src} (${out.source.commit}); rerun the generator`);
    process.exit(1);
  }
  console.log(`${path.relative(repoRoot, outFile)} is up to date`);
} else {
  fs.writeFileSync(outFile, text);
  console.log(`wrote ${path.relative(repoRoot, outFile)}: ${Object.keys(archs).length} architectures, ${Object.keys(hfArchitectures).length} HF architectures, commit ${out.source.commit}`);
  if (unparsed.length) console.log(`generator notes:\n  ${unparsed.join('\n  ')}`);
}

// `kvlens models resolve <ref>...` — what KV Lens read for a model and from where: the store (local file, Ollama,
// LM Studio, huggingface_hub cache, KV Lens's Hub cache, the Hub, the catalog), the commit, the bytes and requests
// it cost, the facts it found, and the KV layout each engine gives it. Exit: 0 every model resolved, 1 some model
// was not found or not readable, 2 usage or a network failure.
import { createModelResolver, type ResolvedModel } from '../../core/models/resolve';
import { hubEnvironment } from '../../core/models/hub/env';
import { llamaKvCache } from '../../core/estimator/kvCache';
import { vllmKvPool } from '../../core/estimator/vllmKvPool';
import { explainKvGroups } from '../../core/estimator/explain';
import { LLAMA_CPP_COMMIT_SHORT } from '../../core/models/arch/llamaArchTable';
import { formatBytes, formatSi } from '../../core/units';
import { type CliIO, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError } from '../io';

export const HELP = `Usage: kvlens models resolve [--json] [--offline] <model>...

Resolves each model the way the editor and \`kvlens estimate\` do and prints what was read and from where.
<model> is a path (.gguf, config.json, a folder), a Hugging Face id (Qwen/Qwen3-8B, Qwen/Qwen3-8B@<revision>,
hf://org/name, https://huggingface.co/org/name), a llama.cpp -hf reference (org/repo:Q4_K_M), an Ollama name
(qwen3:8b) or a catalog id.

Options:
  --json       machine-readable output
  --offline    caches and local stores only (like HF_HUB_OFFLINE=1)
  -h, --help   show this help

Hub access: HF_TOKEN or the token \`huggingface-cli login\` saved, HF_ENDPOINT for mirrors. Only headers are
read (config.json, safetensors and GGUF headers), never the weights.
`;

function describe(ref: string, r: ResolvedModel): string {
  const out = [ref];
  const d = r.descriptor;
  const o = r.origin;
  out.push(`  found       ${r.kind}${r.path ? ` — ${r.path}` : ''}`);
  if (o) {
    out.push(`  source      ${o.store}: ${o.where}${o.commit ? ` (commit ${o.commit})` : ''}`);
    if (o.cached !== undefined || o.bytes !== undefined) {
      out.push(`  read        ${o.cached ? 'from cache: no request' : `${o.requests ?? 0} request(s), ${(o.bytes ?? 0).toLocaleString('en-US')} bytes (headers only)`}`);
    }
  }
  if (r.error) out.push(`  problem     ${r.error}`);
  if (r.checked?.length) out.push(`  looked in   ${r.checked.join('; ')}`);
  if (!d) return out.join('\n');
  for (const p of d.provenance ?? []) out.push(`  facts       ${p.what}${p.bytes ? ` (${p.bytes.toLocaleString('en-US')} bytes)` : ''}`);
  out.push(`  model       ${d.name}: ${d.architecture}, ${d.layers} layers, hidden ${d.hiddenSize}, ${d.heads} heads, ${formatSi(d.params, '')} parameters (${formatSi(d.activeParams, '')} active), ${formatBytes(d.weightsBytes)} ${d.weightsType}`);
  const kv = llamaKvCache(d, { nCtx: 8192, nSeq: 1 });
  const plan = d.llamaPlan;
  out.push(`  llama.cpp   ${plan ? `${plan.arch}, ${plan.memory} memory${plan.loadable ? '' : ' — the bundled engine cannot load it'}` : 'no llama.cpp layout'} (${LLAMA_CPP_COMMIT_SHORT}): ${kv.bytesPerToken.toLocaleString('en-US')} B/token f16; at -c 8192: KV ${formatBytes(kv.totalBytes)}${kv.stateBytes ? ` + recurrent state ${formatBytes(kv.stateBytes)} per sequence` : ''}`);
  for (const line of explainKvGroups(kv).split('\n').filter(Boolean)) out.push(`              ${line.replace(/\\(.)/g, '$1')}`);
  if (d.vllm) {
    const pool = vllmKvPool(d.vllm, { availableBytes: 0, maxModelLen: 8192 });
    out.push(`  vLLM        ${pool.bytesPerToken.toLocaleString('en-US')} B/token (bf16, TP 1)${pool.stateBytesPerSequence ? ` + ${formatBytes(pool.stateBytesPerSequence)} state per sequence` : ''}`);
  }
  if (d.missing.length) out.push(`  missing     ${d.missing.join(', ')}`);
  for (const n of d.notes) out.push(`  note        ${n}`);
  return out.join('\n');
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '-h' || sub === '--help') {
    io.out(HELP);
    return sub ? EXIT_OK : EXIT_USAGE;
  }
  if (sub !== 'resolve') throw new UsageError(`unknown subcommand '${sub}' (try \`kvlens models resolve <model>\`)`);
  let json = false;
  let offline = false;
  const refs: string[] = [];
  for (const a of rest) {
    if (a === '--json') json = true;
    else if (a === '--offline') offline = true;
    else if (a === '-h' || a === '--help') {
      io.out(HELP);
      return EXIT_OK;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
    else refs.push(a);
  }
  if (!refs.length) throw new UsageError('name at least one model');
  const env = offline ? { ...process.env, HF_HUB_OFFLINE: '1' } : process.env;
  const hub = hubEnvironment({}, env);
  const resolver = createModelResolver({ network: 'blocking', env });
  let code = EXIT_OK;
  const results: unknown[] = [];
  if (!json) io.out(`Hub: ${hub.endpoint} (${hub.endpointSource}); token: ${hub.tokenSource ?? 'none'}; ${hub.offlineReason ? `offline: ${hub.offlineReason}` : 'online'}; cache ${hub.kvlensCache}\n\n`);
  for (const ref of refs) {
    const r = await resolver.resolve(ref, io.cwd);
    if (!r.descriptor) code = Math.max(code, r.kind === 'error' && /cannot reach|no answer|stalled|failed \(5/.test(r.error ?? '') ? EXIT_USAGE : EXIT_FINDINGS);
    if (json) {
      const d = r.descriptor;
      results.push({
        ref, kind: r.kind, path: r.path, error: r.error, origin: r.origin, checked: r.checked,
        model: d ? { name: d.name, architecture: d.architecture, layers: d.layers, params: d.params, activeParams: d.activeParams, weightsBytes: d.weightsBytes, weightsType: d.weightsType, missing: d.missing, notes: d.notes, provenance: d.provenance } : undefined,
        kv: d ? { llamaCppBytesPerTokenF16: llamaKvCache(d, { nCtx: 8192 }).bytesPerToken, vllmBytesPerTokenBf16: d.vllm ? vllmKvPool(d.vllm, { availableBytes: 0, maxModelLen: 8192 }).bytesPerToken : undefined } : undefined,
      });
    } else {
      io.out(`${describe(ref, r)}\n\n`);
    }
  }
  if (json) io.out(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
  return code;
}

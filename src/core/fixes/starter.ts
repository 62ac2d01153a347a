// A commented starter profile: what "KV Lens: New Deployment Profile" writes and what the empty-file quick fix
// inserts. The comments say what each setting does and where its values come from, so the file teaches itself.
import type { ConfigFormat } from '../deployment';

export interface StarterOptions {
  model?: string;
  engine?: 'llama.cpp' | 'vllm';
  targets?: string[];
  /** Ignored in YAML; JSON has no comments, so the JSON starter is the plain structure. */
  json?: boolean;
  eol?: string;
}

const DEFAULT_MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

export function starterProfile(o: StarterOptions = {}): string {
  const model = o.model?.trim() || DEFAULT_MODEL;
  const engine = o.engine ?? 'llama.cpp';
  const targets = o.targets?.length ? o.targets : ['h100-sxm', 'rtx-4090'];
  const nl = o.eol ?? '\n';
  if (o.json) {
    const p = {
      model,
      engine: engine === 'vllm'
        ? { kind: 'vllm', options: { 'max-model-len': 32768, 'gpu-memory-utilization': 0.9, 'kv-cache-dtype': 'auto', 'tensor-parallel-size': 1 } }
        : { kind: 'llama.cpp', args: '-c 32768 -np 4 -ctk q8_0 -ctv q8_0 -fa on -ngl 99' },
      workload: { promptTokens: 4096, outputTokens: 256, concurrency: 4 },
      targets,
    };
    return JSON.stringify(p, null, 2).split('\n').join(nl) + nl;
  }
  const q = (s: string) => (/^[A-Za-z0-9_./-]+$/.test(s) ? s : JSON.stringify(s));
  const lines: string[] = [
    '# A KV Lens deployment profile: one model, one engine with its settings, a workload, and the hardware to',
    '# size it for. KV Lens checks it as you type; each target gets a CodeLens (memory, users, speed) on its line.',
    '',
    '# A catalog id (sized offline), a local GGUF, an HF config.json or its folder (relative to this file).',
    `model: ${q(model)}`,
    '',
    'engine:',
  ];
  if (engine === 'vllm') {
    lines.push(
      '  kind: vllm',
      '  # vLLM options, exactly as in a `vllm serve --config` file.',
      '  options:',
      '    max-model-len: 32768          # context per sequence (prompt + output)',
      '    gpu-memory-utilization: 0.9   # share of each GPU vLLM takes; what weights leave is the KV pool',
      '    kv-cache-dtype: auto          # auto = the model dtype; fp8 halves the KV bytes per token',
      '    tensor-parallel-size: 1       # GPUs per replica: must divide the attention and KV heads',
    );
  } else {
    lines.push(
      '  kind: llama.cpp',
      '  # llama-server flags: -c total context (shared by the -np slots), -ctk/-ctv KV cache types (q8_0 is about',
      '  # half of f16; a quantized V cache needs -fa on), -ngl layers on the GPU (99 = all).',
      '  args: "-c 32768 -np 4 -ctk q8_0 -ctv q8_0 -fa on -ngl 99"',
    );
  }
  lines.push(
    '',
    '# The traffic to size for: a typical request and how many run at once.',
    'workload:',
    '  promptTokens: 4096',
    '  outputTokens: 256',
    '  concurrency: 4',
    '',
    '# Hardware catalog ids (completion lists them), `local` for this machine, or an inline custom target',
    '# such as {id: my-gpu, memoryGiB: 48, bandwidthGBs: 960}. One per line: each gets its own CodeLens.',
    'targets:',
    ...targets.map((t) => `  - ${q(t)}`),
  );
  return lines.join(nl) + nl;
}

/** A starter `vllm serve --config` file. */
export function starterVllmConfig(model = DEFAULT_MODEL, eol = '\n'): string {
  return [
    '# A `vllm serve --config` file: every key is a vLLM option without the leading `--`.',
    `model: ${model}`,
    'max-model-len: 32768            # context per sequence',
    'gpu-memory-utilization: 0.9     # share of each GPU vLLM takes',
    'kv-cache-dtype: auto            # fp8 halves the KV pool\'s bytes per token',
    'tensor-parallel-size: 1         # GPUs per replica',
    '',
  ].join(eol);
}

export function starterFor(format: ConfigFormat, json: boolean, eol = '\n'): string | undefined {
  if (format === 'kvlens-profile') return starterProfile({ json, eol });
  if (format === 'vllm' && !json) return starterVllmConfig(undefined, eol);
  return undefined;
}

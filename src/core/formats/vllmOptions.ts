// The vLLM options KV Lens knows, as `vllm serve` spells them (long names, dashes). This table is the single
// source for schemas/vllm-config.schema.json (see schemaBuild.ts), the "did you mean" suggestions and content
// detection. Names and value sets follow vLLM's vllm/engine/arg_utils.py and vllm/config/*.py (2025–2026).
// Options whose value sets change every release (quantization, load-format, ...) are free strings with
// `examples`, so a newer vLLM value is never reported as an error.

export type VllmOptionType =
  | 'int' // integer; vLLM also accepts a quoted number, since config values reach argparse as strings
  | 'hrint' // integer or a human-readable size such as 32k (1000) / 32K (1024), as vLLM's human_readable_int
  | 'float'
  | 'bool'
  | 'string'
  | 'enum'
  | 'json' // a mapping, or the same as a JSON string (vLLM parses both)
  | 'strlist' // one string or a list of strings
  | 'intlist';

export interface VllmOption {
  name: string;
  type: VllmOptionType;
  description: string;
  values?: readonly string[];
  examples?: readonly string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  /** Distinctive options are what content detection needs to see before it calls a YAML file a vLLM config. */
  distinctive?: boolean;
  deprecated?: boolean;
}

/** vLLM's CacheDType literal (vllm/config/cache.py). */
export const VLLM_KV_CACHE_DTYPES = [
  'auto', 'float16', 'bfloat16', 'fp8', 'fp8_e4m3', 'fp8_e5m2', 'fp8_inc', 'fp8_ds_mla', 'nvfp4_ds_mla',
  'int8_per_token_head', 'int4_per_token_head', 'fp8_per_token_head', 'nvfp4', 'nvfp4_4over6',
  'turboquant_k8v4', 'turboquant_4bit_nc', 'turboquant_k3v4_nc', 'turboquant_3bit_nc',
] as const;

const o = (
  name: string,
  type: VllmOptionType,
  description: string,
  extra: Partial<Omit<VllmOption, 'name' | 'type' | 'description'>> = {},
): VllmOption => ({ name, type, description, ...extra });

const POS = { minimum: 1 };

export const VLLM_OPTIONS: readonly VllmOption[] = [
  // Model
  o('model', 'string', 'Hugging Face model id or local path of the model to serve.'),
  o('tokenizer', 'string', 'Hugging Face id or path of the tokenizer; defaults to the model.'),
  o('tokenizer-mode', 'string', 'Tokenizer implementation.', { examples: ['auto', 'hf', 'slow', 'mistral', 'custom'] }),
  o('revision', 'string', 'Model revision (branch, tag or commit id) on the Hugging Face Hub.'),
  o('code-revision', 'string', 'Revision of the model code on the Hub.'),
  o('tokenizer-revision', 'string', 'Revision of the tokenizer on the Hub.'),
  o('trust-remote-code', 'bool', 'Run model code from the Hub (needed by some architectures).'),
  o('dtype', 'enum', 'Data type of weights and activations; `auto` uses the model config (fp16 for fp32 models).', {
    values: ['auto', 'half', 'float16', 'bfloat16', 'float', 'float32'],
  }),
  o('seed', 'int', 'Random seed.', { minimum: 0 }),
  o('max-model-len', 'hrint', 'Context length (prompt + output) in tokens. Accepts 32k (= 32000) or 32K (= 32768). Defaults to the model config.', { distinctive: true }),
  o('quantization', 'string', 'Weight quantization method; defaults to what the model config says.', {
    examples: ['awq', 'awq_marlin', 'gptq', 'gptq_marlin', 'fp8', 'bitsandbytes', 'gguf', 'compressed-tensors', 'modelopt', 'modelopt_fp4', 'mxfp4', 'experts_int8', 'moe_wna16', 'torchao'],
    distinctive: true,
  }),
  o('served-model-name', 'strlist', 'Name(s) the OpenAI-compatible API answers to; defaults to the model.', { distinctive: true }),
  o('generation-config', 'string', 'Where default sampling parameters come from: `auto` (model folder), `vllm` (vLLM defaults) or a folder path.', { examples: ['auto', 'vllm'] }),
  o('override-generation-config', 'json', 'Overrides for the generation config, e.g. {"temperature": 0.5}.'),
  o('enforce-eager', 'bool', 'Always run in eager mode (no CUDA graphs): less memory, slower decode.', { distinctive: true }),
  o('max-seq-len-to-capture', 'int', 'Deprecated: longest sequence covered by CUDA graphs.', { ...POS, deprecated: true }),
  o('max-logprobs', 'int', 'Most log probabilities a request may ask for.', { minimum: -1 }),
  o('logprobs-mode', 'string', 'What log probabilities return.', { examples: ['raw_logprobs', 'raw_logits', 'processed_logprobs', 'processed_logits'] }),
  o('disable-sliding-window', 'bool', 'Disable sliding-window attention (caps the context at the window).'),
  o('disable-cascade-attn', 'bool', 'Disable cascade attention.'),
  o('skip-tokenizer-init', 'bool', 'Skip tokenizer initialisation (inputs must be token ids).'),
  o('enable-prompt-embeds', 'bool', 'Accept prompt embeddings as input.'),
  o('hf-overrides', 'json', 'Overrides applied to the Hugging Face model config, e.g. {"max_position_embeddings": 65536}.'),
  o('hf-token', 'string', 'Hugging Face token (or true to use the stored one).'),
  o('hf-config-path', 'string', 'Path or id of the Hugging Face config to use instead of the model\'s.'),
  o('rope-scaling', 'json', 'RoPE scaling config, e.g. {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}.'),
  o('rope-theta', 'float', 'RoPE theta.'),
  o('config-format', 'string', 'Format of the model config.', { examples: ['auto', 'hf', 'mistral'] }),
  o('load-format', 'string', 'Format of the weights to load.', {
    examples: ['auto', 'pt', 'safetensors', 'npcache', 'dummy', 'tensorizer', 'sharded_state', 'gguf', 'bitsandbytes', 'mistral', 'runai_streamer', 'fastsafetensors'],
  }),
  o('download-dir', 'string', 'Folder to download and cache weights in.'),
  o('model-loader-extra-config', 'json', 'Extra options for the model loader.'),
  o('ignore-patterns', 'strlist', 'File patterns to skip when loading the model.'),
  o('use-tqdm-on-load', 'bool', 'Show a progress bar while loading weights.'),
  o('model-impl', 'string', 'Which implementation of the model to use.', { examples: ['auto', 'vllm', 'transformers'] }),
  o('runner', 'string', 'Runner type.', { examples: ['auto', 'generate', 'pooling', 'draft'] }),
  o('convert', 'string', 'Convert the model for another task.', { examples: ['auto', 'none', 'embed', 'classify', 'reward'] }),
  o('task', 'string', 'Deprecated: use `runner` and `convert`.', { deprecated: true }),
  o('pooler-config', 'json', 'Pooling config for pooling models.'),
  o('override-pooler-config', 'json', 'Deprecated: use `pooler-config`.', { deprecated: true }),
  o('logits-processor-pattern', 'string', 'Regex of logits processors a request may name.'),
  o('logits-processors', 'strlist', 'Logits processors to load.'),
  o('allowed-local-media-path', 'string', 'Folder requests may read local media from.'),
  o('max-parallel-loading-workers', 'int', 'Load the model in batches with this many workers.', POS),
  o('override-attention-dtype', 'string', 'Override the attention data type.'),
  o('enable-sleep-mode', 'bool', 'Allow the engine to sleep (free GPU memory) and wake.'),
  o('device', 'string', 'Device type.', { examples: ['auto', 'cuda', 'cpu', 'tpu', 'xpu', 'hpu', 'neuron'], deprecated: true }),
  // Parallelism
  o('tensor-parallel-size', 'int', 'Number of GPUs each layer is split across (tensor parallel). Must divide the attention heads.', { ...POS, distinctive: true }),
  o('pipeline-parallel-size', 'int', 'Number of pipeline stages (layers split across GPUs or nodes).', { ...POS, distinctive: true }),
  o('data-parallel-size', 'int', 'Number of data-parallel replicas.', { ...POS, distinctive: true }),
  o('data-parallel-size-local', 'int', 'Data-parallel replicas on this node.', POS),
  o('data-parallel-rank', 'int', 'Data-parallel rank of this instance.', { minimum: 0 }),
  o('data-parallel-start-rank', 'int', 'First data-parallel rank on this node.', { minimum: 0 }),
  o('data-parallel-address', 'string', 'Address of the data-parallel cluster head node.'),
  o('data-parallel-rpc-port', 'int', 'Port for data-parallel RPC.', { minimum: 1, maximum: 65535 }),
  o('data-parallel-backend', 'enum', 'Backend for data parallelism.', { values: ['mp', 'ray'] }),
  o('data-parallel-hybrid-lb', 'bool', 'Hybrid load balancing across data-parallel ranks.'),
  o('decode-context-parallel-size', 'int', 'Decode context parallel size.', POS),
  o('enable-expert-parallel', 'bool', 'Use expert parallelism instead of tensor parallelism for MoE layers.', { distinctive: true }),
  o('enable-eplb', 'bool', 'Enable expert-parallel load balancing.'),
  o('eplb-config', 'json', 'Expert-parallel load balancing config.'),
  o('distributed-executor-backend', 'enum', 'Backend for distributed workers.', { values: ['ray', 'mp', 'uni', 'external_launcher'] }),
  o('disable-custom-all-reduce', 'bool', 'Use NCCL instead of vLLM\'s custom all-reduce.'),
  o('ray-workers-use-nsight', 'bool', 'Profile Ray workers with Nsight.'),
  o('worker-cls', 'string', 'Worker class to use.'),
  o('worker-extension-cls', 'string', 'Worker extension class.'),
  o('nnodes', 'int', 'Number of nodes (multi-node without Ray).', POS),
  o('node-rank', 'int', 'Rank of this node.', { minimum: 0 }),
  o('master-addr', 'string', 'Address of the master node.'),
  o('master-port', 'int', 'Port of the master node.', { minimum: 1, maximum: 65535 }),
  // KV cache
  o('block-size', 'int', 'Tokens per KV-cache block (paged attention). Defaults to 16 on CUDA.', { ...POS, distinctive: true, examples: ['16', '32', '64', '128'] }),
  o('gpu-memory-utilization', 'float', 'Fraction of each GPU\'s memory vLLM may use for weights, activations and the KV cache, in (0, 1].', {
    exclusiveMinimum: 0, maximum: 1, distinctive: true,
  }),
  o('kv-cache-memory-bytes', 'hrint', 'KV cache size per GPU in bytes; overrides gpu-memory-utilization.', POS),
  o('swap-space', 'float', 'CPU swap space per GPU in GiB.', { minimum: 0, distinctive: true }),
  o('kv-cache-dtype', 'enum', 'Data type of the KV cache; `auto` uses the model dtype. fp8 (= fp8_e4m3) halves KV memory against 16-bit.', {
    values: VLLM_KV_CACHE_DTYPES, distinctive: true,
  }),
  o('calculate-kv-scales', 'bool', 'Compute fp8 KV scales dynamically.'),
  o('kv-cache-dtype-skip-layers', 'strlist', 'Layers (indices or attention types) that keep an unquantized KV cache.'),
  o('num-gpu-blocks-override', 'int', 'Use this many GPU KV blocks instead of the profiled number (testing).', POS),
  o('enable-prefix-caching', 'bool', 'Reuse the KV cache of shared prompt prefixes.', { distinctive: true }),
  o('no-enable-prefix-caching', 'bool', 'Disable prefix caching.'),
  o('prefix-caching-hash-algo', 'string', 'Hash algorithm for prefix caching.', { examples: ['sha256', 'sha256_cbor', 'xxhash', 'xxhash_cbor'] }),
  o('cpu-offload-gb', 'float', 'GiB of weights per GPU kept in CPU memory (a virtual GPU memory extension).', { minimum: 0, distinctive: true }),
  o('kv-offloading-size', 'float', 'GiB of KV cache offloaded to CPU (total across TP ranks).', { minimum: 0 }),
  o('kv-offloading-backend', 'enum', 'Backend for KV offloading.', { values: ['native', 'lmcache'] }),
  o('kv-sharing-fast-prefill', 'bool', 'Skip prefill on layers that share KV (YOCO-style models).'),
  o('mamba-cache-dtype', 'enum', 'Data type of the Mamba state cache.', { values: ['auto', 'float32', 'float16', 'bfloat16'] }),
  o('mamba-ssm-cache-dtype', 'enum', 'Data type of the Mamba SSM state.', { values: ['auto', 'float32', 'float16', 'bfloat16'] }),
  o('mamba-block-size', 'int', 'Block size of the Mamba cache (multiple of 8).', POS),
  o('kv-transfer-config', 'json', 'KV transfer (disaggregated prefill) config, e.g. {"kv_connector": "NixlConnector", "kv_role": "kv_both"}.'),
  o('kv-events-config', 'json', 'KV cache event publishing config.'),
  // Scheduler
  o('max-num-seqs', 'int', 'Most sequences scheduled in one step (concurrent requests).', { ...POS, distinctive: true }),
  o('max-num-batched-tokens', 'hrint', 'Most tokens processed in one step.', { ...POS, distinctive: true }),
  o('max-num-partial-prefills', 'int', 'Most prompts prefilled concurrently with chunked prefill.', POS),
  o('max-long-partial-prefills', 'int', 'Most long prompts prefilled concurrently.', POS),
  o('long-prefill-token-threshold', 'int', 'A prompt longer than this counts as long.', { minimum: 0 }),
  o('enable-chunked-prefill', 'bool', 'Split long prefills into chunks batched with decodes.', { distinctive: true }),
  o('no-enable-chunked-prefill', 'bool', 'Disable chunked prefill.'),
  o('scheduling-policy', 'enum', 'Scheduling policy.', { values: ['fcfs', 'priority'] }),
  o('scheduler-cls', 'string', 'Scheduler class.'),
  o('scheduler-delay-factor', 'float', 'Delay before scheduling the next prompt, as a fraction of the last latency.', { minimum: 0 }),
  o('num-lookahead-slots', 'int', 'Lookahead slots (speculative decoding).', { minimum: 0 }),
  o('disable-chunked-mm-input', 'bool', 'Never split multimodal inputs across chunks.'),
  o('async-scheduling', 'bool', 'Schedule the next step while the current one runs.'),
  o('disable-hybrid-kv-cache-manager', 'bool', 'Give every layer type the same KV allocation.'),
  o('cuda-graph-sizes', 'intlist', 'Batch sizes to capture CUDA graphs for.'),
  o('stream-interval', 'int', 'Tokens per streamed chunk.', POS),
  // Speculative decoding, compilation, structured outputs
  o('speculative-config', 'json', 'Speculative decoding, e.g. {"model": "meta-llama/Llama-3.2-1B-Instruct", "num_speculative_tokens": 5} or {"method": "ngram", ...}.', { distinctive: true }),
  o('compilation-config', 'json', 'torch.compile / CUDA graph config, or an optimisation level (0–3).'),
  o('optimization-level', 'int', 'Optimisation level (0–3).', { minimum: 0, maximum: 3 }),
  o('structured-outputs-config', 'json', 'Structured outputs config.'),
  o('guided-decoding-backend', 'string', 'Deprecated: structured output backend.', { examples: ['auto', 'xgrammar', 'guidance', 'outlines', 'lm-format-enforcer'], deprecated: true }),
  o('reasoning-parser', 'string', 'Parser that extracts reasoning content.', { examples: ['deepseek_r1', 'qwen3', 'granite', 'gpt_oss', 'mistral'], distinctive: true }),
  o('reasoning-parser-plugin', 'string', 'Python file with a reasoning parser plugin.'),
  o('tool-call-parser', 'string', 'Parser for tool calls.', { examples: ['hermes', 'llama3_json', 'llama4_pythonic', 'mistral', 'pythonic', 'qwen3_coder', 'deepseek_v3', 'openai'], distinctive: true }),
  o('tool-parser-plugin', 'string', 'Python file with a tool parser plugin.'),
  o('enable-auto-tool-choice', 'bool', 'Let the model choose to call tools (needs tool-call-parser).', { distinctive: true }),
  o('chat-template', 'string', 'Chat template file or inline template.', { distinctive: true }),
  o('chat-template-content-format', 'enum', 'How message content is rendered in the chat template.', { values: ['auto', 'string', 'openai'] }),
  o('response-role', 'string', 'Role of generated messages.'),
  // LoRA
  o('enable-lora', 'bool', 'Serve LoRA adapters.', { distinctive: true }),
  o('lora-modules', 'strlist', 'LoRA adapters as name=path or JSON.'),
  o('max-loras', 'int', 'Most LoRAs in one batch.', POS),
  o('max-lora-rank', 'int', 'Highest LoRA rank.', POS),
  o('max-cpu-loras', 'int', 'Most LoRAs kept in CPU memory.', POS),
  o('lora-dtype', 'string', 'Data type of LoRA weights.', { examples: ['auto', 'float16', 'bfloat16'] }),
  o('fully-sharded-loras', 'bool', 'Shard all LoRA layers across TP ranks.'),
  // Multimodal
  o('limit-mm-per-prompt', 'json', 'Most multimodal items per prompt, e.g. {"image": 4, "video": 1}.'),
  o('mm-processor-kwargs', 'json', 'Arguments for the multimodal processor.'),
  o('mm-processor-cache-gb', 'float', 'GiB for the multimodal processor cache.', { minimum: 0 }),
  o('disable-mm-preprocessor-cache', 'bool', 'Deprecated: set mm-processor-cache-gb to 0.', { deprecated: true }),
  o('media-io-kwargs', 'json', 'Arguments for media loading.'),
  o('mm-encoder-tp-mode', 'enum', 'How the multimodal encoder uses tensor parallel.', { values: ['weights', 'data'] }),
  // Server and observability
  o('host', 'string', 'Host name or address to listen on.'),
  o('port', 'int', 'Port to listen on.', { minimum: 1, maximum: 65535 }),
  o('uds', 'string', 'Unix domain socket to listen on instead of host/port.'),
  o('uvicorn-log-level', 'enum', 'Uvicorn log level.', { values: ['critical', 'error', 'warning', 'info', 'debug', 'trace'] }),
  o('api-key', 'strlist', 'API key(s) clients must send.'),
  o('allowed-origins', 'strlist', 'CORS allowed origins.'),
  o('allowed-methods', 'strlist', 'CORS allowed methods.'),
  o('allowed-headers', 'strlist', 'CORS allowed headers.'),
  o('allow-credentials', 'bool', 'CORS: allow credentials.'),
  o('ssl-keyfile', 'string', 'SSL key file.'),
  o('ssl-certfile', 'string', 'SSL certificate file.'),
  o('ssl-ca-certs', 'string', 'CA certificates file.'),
  o('ssl-cert-reqs', 'int', 'Whether client certificates are required (Python ssl module values).', { minimum: 0 }),
  o('root-path', 'string', 'FastAPI root_path when behind a path-based proxy.'),
  o('middleware', 'strlist', 'Extra ASGI middleware to load.'),
  o('api-server-count', 'int', 'Number of API server processes.', POS),
  o('headless', 'bool', 'Run without the API server (multi-node workers).'),
  o('disable-log-requests', 'bool', 'Deprecated: requests are not logged unless enable-log-requests is set.', { deprecated: true }),
  o('enable-log-requests', 'bool', 'Log every request.'),
  o('enable-log-outputs', 'bool', 'Log every response.'),
  o('disable-log-stats', 'bool', 'Do not log throughput statistics.'),
  o('disable-uvicorn-access-log', 'bool', 'Disable the uvicorn access log.'),
  o('max-log-len', 'int', 'Most characters or ids of a prompt printed in the log.', { minimum: 0 }),
  o('disable-fastapi-docs', 'bool', 'Disable the FastAPI OpenAPI docs.'),
  o('enable-request-id-headers', 'bool', 'Add X-Request-Id to responses.'),
  o('enable-prompt-tokens-details', 'bool', 'Report prompt token details in usage.'),
  o('enable-server-load-tracking', 'bool', 'Track server load.'),
  o('enable-force-include-usage', 'bool', 'Always include usage in responses.'),
  o('return-tokens-as-token-ids', 'bool', 'Return tokens as token-id strings in logprobs.'),
  o('otlp-traces-endpoint', 'string', 'OpenTelemetry traces endpoint.'),
  o('collect-detailed-traces', 'strlist', 'Modules to collect detailed traces for.'),
  o('show-hidden-metrics-for-version', 'string', 'Show metrics hidden since this version.'),
  o('tokenizer-pool-size', 'int', 'Deprecated: tokenizer pool size.', { minimum: 0, deprecated: true }),
];

const byName = new Map<string, VllmOption>(VLLM_OPTIONS.map((opt) => [opt.name, opt]));

/** vLLM's own normalisation: `max_model_len`, `--max-model-len` and `max-model-len` are one option. */
export function normaliseVllmKey(key: string): string {
  return key.replace(/^-+/, '').replace(/_/g, '-');
}

export function findVllmOption(key: string): VllmOption | undefined {
  return byName.get(normaliseVllmKey(key));
}

/** Both spellings vLLM accepts, for the schema and for suggestions. */
export function vllmSpellings(name: string): string[] {
  const under = name.replace(/-/g, '_');
  return under === name ? [name] : [name, under];
}

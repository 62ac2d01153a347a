// Builds schemas/vllm-config.schema.json and schemas/kvlens-profile.schema.json from the generated vLLM option
// tables (vllm/tables.ts), so the option tables, the shipped schemas and the validator never drift (a unit test
// compares the files with this output), and builds the schema of any other vLLM version in memory.
// Regenerate from the repository root with: npx tsc -p . && node out/src/core/formats/schemaBuild.js
import { vllmOptions, VllmOption, vllmSpellings } from './vllmOptions';
import { VLLM_DEFAULT_VERSION, vllmTable } from './vllm/tables';

type Json = Record<string, unknown>;

// Marks a mapping whose unknown keys are warnings (the option list of a third-party tool that ignores them).
export const UNKNOWN_KEY_SEVERITY = 'x-kvlens-unknownKeySeverity';
/** On an option's schema: a choice list that platforms extend, so other values are warnings. */
export const OPEN_CHOICES = 'x-kvlens-openChoices';
/** On a vLLM options schema: options this version does not have → removed in / added in. */
export const MISSING_OPTIONS = 'x-kvlens-missing';

export const INT_PATTERN = '^-?[0-9]+$';
export const HRINT_PATTERN = '^[0-9]+(\\.[0-9]+)?[kKmMgG]?$';
export const HRINT_AUTO_PATTERN = '^(auto|-1|[0-9]+(\\.[0-9]+)?[kKmMgG]?)$';
export const FLOAT_PATTERN = '^-?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$';

function optionSchema(opt: VllmOption, negative = false): Json {
  const description = negative ? `Turns \`${opt.name}\` off. ${opt.description}` : opt.description;
  const s: Json = { description: opt.deprecated ? `${description} (deprecated in vLLM: ${opt.deprecated})` : description };
  switch (opt.kind) {
    case 'int':
      Object.assign(s, { type: ['integer', 'string'], pattern: INT_PATTERN });
      break;
    case 'hrint':
      Object.assign(s, { type: ['integer', 'string'], pattern: HRINT_PATTERN });
      break;
    case 'hrint-auto':
      Object.assign(s, { type: ['integer', 'string'], pattern: HRINT_AUTO_PATTERN });
      break;
    case 'float':
      Object.assign(s, { type: ['number', 'string'], pattern: FLOAT_PATTERN });
      break;
    case 'bool':
    case 'flag':
      s.type = 'boolean';
      break;
    case 'optstr':
      s.type = ['string', 'boolean'];
      break;
    case 'string':
      s.type = ['string', 'number'];
      break;
    case 'enum': {
      const values = [...(opt.values ?? [])];
      const numeric = values.filter((v) => /^-?[0-9]+$/.test(v)).map(Number);
      Object.assign(s, { type: numeric.length ? ['string', 'integer'] : 'string', enum: [...values, ...numeric] });
      if (opt.openValues) s[OPEN_CHOICES] = true;
      break;
    }
    case 'json':
      // A config dataclass or dict: a YAML mapping, or the same as a JSON string (vLLM json.loads it).
      s.type = opt.name === 'compilation-config' ? ['object', 'string', 'integer'] : ['object', 'string'];
      break;
    case 'dictstr':
      // union_dict_and_str: a mapping, or text (a JSON object in braces, or any plain string).
      s.type = ['object', 'string'];
      break;
    case 'list':
      Object.assign(s, { type: ['string', 'number', 'array'], items: { type: ['string', 'number'] } });
      break;
  }
  // Bounds are checked by vllm.ts / vllm/argv.ts (vllm/values.ts), which name the version table and the source line.
  if (opt.nullable && Array.isArray(s.enum)) s.enum = [...(s.enum as unknown[]), null];
  if (opt.nullable && Array.isArray(s.type)) s.type = [...(s.type as string[]), 'null'];
  else if (opt.nullable && typeof s.type === 'string') s.type = [s.type, 'null'];
  if (opt.examples) s.examples = [...opt.examples];
  if (opt.name === 'speculative-config') {
    s.properties = {
      model: { type: 'string', description: 'Draft model (HF id or path).' },
      method: { type: 'string', description: 'Speculation method.', examples: ['draft_model', 'ngram', 'eagle', 'eagle3', 'medusa', 'mlp_speculator', 'mtp', 'deepseek_mtp'] },
      num_speculative_tokens: { type: 'integer', minimum: 1, description: 'Tokens proposed per step (the draft length).' },
      draft_tensor_parallel_size: { type: 'integer', minimum: 1 },
      prompt_lookup_max: { type: 'integer', minimum: 1 },
      prompt_lookup_min: { type: 'integer', minimum: 1 },
    };
  }
  return s;
}

/** The options of one vLLM version as a JSON-schema mapping: both spellings, and `no-x` for booleans. */
export function vllmOptionsDefinition(version?: string): Json {
  const table = vllmTable(version);
  const properties: Json = {};
  for (const opt of vllmOptions(table.version)) {
    for (const spelling of vllmSpellings(opt.name)) properties[spelling] = optionSchema(opt);
    if (opt.kind === 'bool') for (const spelling of vllmSpellings(`no-${opt.name}`)) properties[spelling] ??= optionSchema(opt, true);
  }
  const missing: Json = {};
  for (const [name, m] of table.missing) missing[name] = m;
  return {
    type: 'object',
    description: `vLLM ${table.version} engine arguments by their long option names (\`max-model-len\` or \`max_model_len\`).`,
    'x-kvlens-subject': 'vLLM',
    'x-kvlens-table': table.label,
    [MISSING_OPTIONS]: missing,
    properties,
    additionalProperties: false,
  };
}

const built = new Map<string, Json>();

/** The schema of a `vllm serve --config` file for a version (default: the newest known). */
export function buildVllmSchema(version?: string): Json {
  const v = vllmTable(version).version;
  let s = built.get(v);
  if (!s) {
    s = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: `vLLM \`vllm serve --config\` file (vLLM ${v})`,
      ...vllmOptionsDefinition(v),
    };
    built.set(v, s);
  }
  return s;
}

export { VLLM_DEFAULT_VERSION };

const TARGET_ID_PATTERN = '^[a-z0-9][a-z0-9._-]*$';

export function buildProfileSchema(): Json {
  const positiveInt = (description: string): Json => ({ type: 'integer', minimum: 1, description });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'KV Lens deployment profile',
    description: 'One deployment: a model, an engine with its settings, a workload and the hardware targets to size it for.',
    type: 'object',
    required: ['engine'],
    additionalProperties: false,
    properties: {
      $schema: { type: 'string', description: 'URL or path of this schema (for editors).' },
      version: { type: 'integer', enum: [1], description: 'Profile format version. Only 1 exists.' },
      name: { type: 'string', minLength: 1, description: 'Display name; defaults to the file name.' },
      description: { type: 'string', description: 'Free text for people reading the profile.' },
      model: {
        type: ['string', 'object'],
        minLength: 1,
        description:
          'A GGUF file, an HF config.json, a folder holding config.json (relative paths resolve against this file\'s folder), ' +
          'or a catalog id such as meta-llama/Llama-3.1-8B-Instruct. The mapping form {id, weights} names a catalog model ' +
          'and the weights type the engine loads (e.g. q4_k_m for a llama.cpp quant).',
        properties: {
          id: { type: 'string', minLength: 1, description: 'Catalog / Hugging Face id, or a path.' },
          weights: {
            type: 'string',
            description: 'Weights type actually served, overriding the catalog\'s (bf16, fp8, q8_0, q6_k, q5_k_m, q4_k_m, q4_0, ...).',
            examples: ['bf16', 'f16', 'fp8', 'q8_0', 'q6_k', 'q5_k_m', 'q4_k_m', 'q4_0', 'iq4_xs'],
          },
        },
        required: ['id'],
        additionalProperties: false,
      },
      engine: {
        type: 'object',
        description: 'The serving engine and its settings.',
        required: ['kind'],
        additionalProperties: false,
        properties: {
          kind: { type: 'string', enum: ['llama.cpp', 'vllm'], description: 'llama.cpp (llama-server flags in `args`) or vllm (vLLM options in `options`).' },
          version: {
            type: 'string',
            description: 'The engine version the options are for: a vLLM version (e.g. 0.11; default: the newest KV Lens knows) or a llama.cpp build.',
          },
          args: {
            type: ['string', 'array'],
            items: { type: 'string' },
            description: 'llama.cpp / llama-server flags as you would type them, e.g. "-c 32768 -np 4 -ctk q8_0 -ctv q8_0 -fa on -ngl 99", or a list.',
          },
          options: { $ref: '#/definitions/vllmOptions' },
        },
      },
      workload: {
        type: 'object',
        description: 'The traffic to size for.',
        additionalProperties: false,
        properties: {
          promptTokens: positiveInt('Prompt tokens per request (default 4096).'),
          outputTokens: positiveInt('Generated tokens per request (default 256).'),
          concurrency: positiveInt('Requests decoded at the same time (default 1).'),
        },
      },
      targets: {
        type: 'array',
        description: 'Hardware to size for: catalog ids (h100-sxm, a100-80gb, rtx-4090, l40s, local, ...) or inline custom targets.',
        minItems: 1,
        items: { $ref: '#/definitions/target' },
      },
      speculative: {
        type: 'object',
        description: 'Speculative decoding with a draft model (MagicDec model of the speedup).',
        required: ['draft'],
        additionalProperties: false,
        properties: {
          draft: { type: 'string', minLength: 1, description: 'Draft model: a path or catalog id, like `model`.' },
          acceptanceRate: { type: 'number', minimum: 0, exclusiveMaximum: 1, description: 'Probability α that the target accepts a drafted token (default 0.8).' },
          draftLength: { type: 'integer', minimum: 1, maximum: 64, description: 'Tokens drafted per verification step γ (default 4).' },
        },
      },
    },
    definitions: {
      vllmOptions: vllmOptionsDefinition(),
      target: {
        type: ['string', 'object'],
        pattern: TARGET_ID_PATTERN,
        description: 'A hardware catalog id, or a custom target: `base` (a catalog id to start from) and/or its own figures.',
        required: ['id'],
        // Without a catalog `base` to start from, the target must give its own memory and bandwidth.
        if: { type: 'object', not: { required: ['base'] } },
        then: { required: ['memoryGiB', 'bandwidthGBs'] },
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: TARGET_ID_PATTERN, description: 'Short id (lowercase, digits, . _ -).' },
          name: { type: 'string', description: 'Display name.' },
          base: { type: 'string', description: 'Catalog id whose figures this target starts from (e.g. h100-pcie); the fields you give override them.' },
          kind: { type: 'string', enum: ['gpu', 'cpu', 'apple'], description: 'Device kind (default gpu).' },
          devices: { type: 'integer', minimum: 1, description: 'Number of identical devices (GPUs) in the target (default 1).' },
          memoryGiB: { type: 'number', exclusiveMinimum: 0, description: 'Memory per device in GiB.' },
          bandwidthGBs: { type: 'number', exclusiveMinimum: 0, description: 'Memory bandwidth per device in GB/s (10^9 bytes/s).' },
          tflops: {
            type: 'object',
            description: 'Dense peak TFLOP/s per data type (no sparsity).',
            additionalProperties: false,
            properties: Object.fromEntries(['fp32', 'fp16', 'bf16', 'fp8', 'int8'].map((k) => [k, { type: 'number', exclusiveMinimum: 0 }])),
          },
          hostLinkGBs: { type: 'number', exclusiveMinimum: 0, description: 'Host link (PCIe) bandwidth per direction in GB/s.' },
          interconnectGBs: { type: 'number', exclusiveMinimum: 0, description: 'GPU-to-GPU bandwidth (NVLink) per direction in GB/s.' },
          efficiency: {
            type: 'object',
            description: 'Fractions of peak you expect to reach (defaults come from the catalog).',
            additionalProperties: false,
            properties: {
              compute: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
              bandwidth: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
            },
          },
        },
      },
    },
  };
}

export function schemaFileText(schema: Json): string {
  return JSON.stringify(schema, null, 2) + '\n';
}

if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require('node:path') as typeof import('node:path');
  const root = process.cwd(); // run from the repository root
  fs.writeFileSync(path.join(root, 'schemas', 'vllm-config.schema.json'), schemaFileText(buildVllmSchema()));
  fs.writeFileSync(path.join(root, 'schemas', 'kvlens-profile.schema.json'), schemaFileText(buildProfileSchema()));
  process.stdout.write('wrote schemas/vllm-config.schema.json and schemas/kvlens-profile.schema.json\n');
}

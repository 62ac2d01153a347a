#!/usr/bin/env node
// Regenerates schemas/llama-swap.schema.json from llama-swap's own sources: its published config-schema.json,
// corrected by what internal/config/*.go actually loads (the Go code decides; the JSON schema lags it).
//   node scripts/gen-llama-swap-schema.mjs <llama-swap git dir or checkout> [commit]
// e.g. the search tool's fetch of github:mostlygeek/llama-swap (a bare git dir). Nothing fetched is committed:
// only this script's output, which records the repository and commit it was derived from.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const [, , repoDir, commitArg = 'HEAD'] = process.argv;
if (!repoDir) {
  process.stderr.write('usage: node scripts/gen-llama-swap-schema.mjs <llama-swap git dir> [commit]\n');
  process.exit(2);
}
const git = (...args) => execFileSync('git', ['-C', repoDir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const commit = git('rev-parse', commitArg).trim();
const date = git('show', '-s', '--format=%cs', commit).trim();
const show = (file) => git('show', `${commit}:${file}`);

const schema = JSON.parse(show('config-schema.json'));
const configGo = show('internal/config/config.go');
const modelGo = show('internal/config/model_config.go');
const matrixGo = show('internal/config/matrix.go');

/** yaml tags of a Go struct: field name → { tag, goType }. */
function structTags(src, name) {
  const m = new RegExp(`type ${name} struct \\{([\\s\\S]*?)\\n\\}`).exec(src);
  if (!m) throw new Error(`struct ${name} not found`);
  const out = new Map();
  for (const line of m[1].split('\n')) {
    const f = /^\s*(\w+)\s+(\S+)\s+`[^`]*yaml:"([^",]*)/.exec(line);
    if (f && f[3] && f[3] !== '-') out.set(f[3], { field: f[1], goType: f[2] });
  }
  return out;
}
const GO_TYPES = { bool: 'boolean', int: 'integer', string: 'string', '[]string': 'array', '*bool': 'boolean' };

// 1. Keys config.go decodes that the published schema leaves out: accepted, so not "unknown".
const top = structTags(configGo, 'Config');
for (const [tag, { field, goType }] of top) {
  if (schema.properties[tag]) continue;
  const type = GO_TYPES[goType];
  if (!type) throw new Error(`no JSON type for ${field} ${goType}`);
  schema.properties[tag] = { type, description: `Accepted by llama-swap (Config.${field} in internal/config/config.go); not in its published JSON schema.` };
}
const modelSchema = schema.properties.models.additionalProperties;
for (const [tag, { field }] of structTags(modelGo, 'ModelConfig')) {
  if (modelSchema.properties[tag]) continue;
  if (field === 'HealthCheckTimeout' && /modelConfig\.HealthCheckTimeout = config\.HealthCheckTimeout/.test(show('internal/config/load.go'))) {
    // load.go overwrites it with the global value: written per model it does nothing.
    modelSchema.properties[tag] = {
      'x-kvlens-ignored': 'llama-swap ignores a per-model `healthCheckTimeout`: load.go sets every model\'s to the global `healthCheckTimeout`',
    };
    continue;
  }
  throw new Error(`ModelConfig.${field} (${tag}) is decoded but neither in the schema nor handled here`);
}

// 2. Legacy forms that still load: filters.strip_params (ModelFilters falls back to it).
if (/yaml:"strip_params"/.test(modelGo)) {
  modelSchema.properties.filters.properties.strip_params = {
    type: 'string',
    'x-kvlens-deprecated': 'legacy spelling that llama-swap still reads; write `stripParams`',
    description: 'Legacy spelling of stripParams (still read by llama-swap).',
  };
}

// 3. Forms llama-swap now refuses, with its own words: list-style profiles.
const profileErr = /profile must be a mapping[^"]*/.exec(configGo);
if (profileErr) schema.properties.profiles.additionalProperties['x-kvlens-typeMessage'] = `llama-swap refuses this: ${profileErr[0]}`;

// 4. Where the published schema is stricter than the Go code, follow the Go code.
const varKey = /varKeyPattern\s*=\s*regexp\.MustCompile\(`([^`]*)`\)/.exec(matrixGo);
if (varKey) schema.definitions.matrixConfig.properties.vars.propertyNames.pattern = varKey[1];
// ModelCapConfig.Validate (model_config.go) checks only the modality names and context >= 0: an empty `in`/`out`
// list loads (an embedding model has no output modality), so the published minItems/uniqueItems are dropped.
if (/func \(c ModelCapConfig\) Validate\(\)/.test(modelGo)) {
  for (const k of ['in', 'out']) {
    delete modelSchema.properties.capabilities.properties[k].minItems;
    delete modelSchema.properties.capabilities.properties[k].uniqueItems;
  }
}
// GroupConfig.UnmarshalYAML (config.go) defaults `members` to an empty list and load.go only checks members for
// duplicates: a group without `members` loads, so the published `required` is dropped.
const groups = schema.definitions?.groupsConfig?.additionalProperties;
if (groups && /Members:\s*\[\]string\{\}/.test(configGo)) {
  groups.required = (groups.required ?? []).filter((k) => k !== 'members');
  if (groups.required.length === 0) delete groups.required;
}
// `cmd` is not checked when the config loads (SanitizeCommand fails only when the model is started); KV Lens
// reports a missing cmd itself, as a warning.
modelSchema.required = (modelSchema.required ?? []).filter((k) => k !== 'cmd');
if (modelSchema.required.length === 0) delete modelSchema.required;

// 5. llama-swap decodes with yaml.v3 without KnownFields: unknown keys are ignored, not refused → warnings.
function mark(s) {
  if (!s || typeof s !== 'object') return;
  if (Array.isArray(s)) return s.forEach(mark);
  // `format: uri`: llama-swap only runs url.Parse, which takes almost anything; ajv does not check formats.
  if (s.format === 'uri') delete s.format;
  if (s.type === 'object' && s.properties && s.additionalProperties === undefined) s.additionalProperties = false;
  if (s.additionalProperties === false) s['x-kvlens-unknownKeySeverity'] = 'warning';
  for (const v of Object.values(s)) mark(v);
}
if (schema.additionalProperties === undefined) schema.additionalProperties = false;
mark(schema);

const out = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://kvlens.dev/schemas/llama-swap.schema.json',
  title: schema.title,
  description: `${schema.description}. Generated by scripts/gen-llama-swap-schema.mjs from llama-swap's config-schema.json and internal/config/*.go.`,
  'x-kvlens-subject': 'llama-swap',
  'x-kvlens-table': `llama-swap ${commit.slice(0, 7)} of ${date}`,
  'x-kvlens-source': { repository: 'github.com/mostlygeek/llama-swap', commit, date, files: ['config-schema.json', 'internal/config/config.go', 'internal/config/model_config.go', 'internal/config/load.go', 'internal/config/matrix.go'] },
  ...Object.fromEntries(Object.entries(schema).filter(([k]) => !['$schema', '$id', 'title', 'description'].includes(k))),
};
const target = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'schemas', 'llama-swap.schema.json');
fs.writeFileSync(target, JSON.stringify(out, null, 2) + '\n');
process.stdout.write(`wrote ${path.relative(process.cwd(), target)} from llama-swap ${commit.slice(0, 12)} (${date})\n`);

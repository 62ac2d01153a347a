// The one entry point the extension and `kvlens check` call: detect → parse → schema → deployments →
// llama.cpp flags / llama-swap → semantic rules. It never throws: whatever goes wrong becomes a diagnostic.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConfigFormat, Deployment } from '../deployment';
import type { KvDiagnostic, Range } from '../diagnostics';
import { RULES } from '../rules';
import { mapServerPath, modelNameHint, refShape, resolveRefPath } from '../rules/modelRefs';
import type { ModelResolution, ModelResolverLike, Rule, RuleContext } from '../rules/rule';
import type { CustomTarget } from '../hardware/targets';
import { detectFormat } from './detect';
import { firstContentRange, languageOf, LineIndex, parseDocument, type ParsedDocument } from './document';
import { analyzeSwapDocument } from './swap';
import { profileDeployment } from './profile';
import { schemaDiagnostics } from './schemaDiagnostics';
import { vllmDeployment, yaml11Value } from './vllm';
import { buildVllmSchema } from './schemaBuild';
import { analyzeShellScript } from './shell/analyze';
import { analyzeCompose } from './compose/analyze';
import { analyzeKubernetes } from './kubernetes/analyze';
import { vllmTable } from './vllm/tables';
import { attachFixes } from '../fixes';

// The editor reads the engine-table and path-mapping settings through this (src/vscode loads the core lazily).
export { formatOptionsFromSettings } from './settings';
export interface AnalyzeOptions {
  /** User globs → formats (the `kvlens.fileAssociations` setting, `kvlens check --format-of`). */
  associations?: Record<string, ConfigFormat>;
  /** Force the format (`kvlens check --as`). */
  format?: ConfigFormat;
  /** models/resolve.ts's createModelResolver(); without it, rules that need the model stay quiet. */
  modelResolver?: ModelResolverLike;
  /** Existence check for absolute paths; default: fs.existsSync behind a short-lived cache. */
  fileExists?: (p: string) => boolean;
  /** Larger texts are not parsed (default 4 MiB). */
  maxChars?: number;
  /** Rules to run (default RULES). */
  rules?: readonly Rule[];
  /** Targets to size for when a deployment names none, and user-defined targets (the editor's settings). */
  defaultTargets?: readonly string[];
  customTargets?: readonly CustomTarget[];
  /** The vLLM version configs are for (the `kvlens.vllm.version` setting; default: the newest table). */
  vllmVersion?: string;
  /** The llama.cpp build llama.cpp flags are checked against: `bundled` (default), `upstream` or a build number (`b8914`). */
  llamaCppBuild?: string;
  /**
   * Server paths → local folders (`{"/models": "/home/me/models"}`, the `kvlens.pathMappings` setting): a model
   * path written for the server it runs on is looked for here.
   */
  pathMappings?: Record<string, string>;
}

export interface Analysis {
  format?: ConfigFormat;
  deployments: Deployment[];
  diagnostics: KvDiagnostic[];
  /** The parsed document, for hovers and CodeLenses that need more than the deployments. */
  document?: ParsedDocument;
}

export const DEFAULT_MAX_CHARS = 4 * 1024 * 1024;

const existsCache = new Map<string, { at: number; exists: boolean }>();
const EXISTS_TTL_MS = 3000;

/** fs.existsSync, cached for a few seconds: called per keystroke, so a path is stat'ed at most every 3 s. */
export function cachedFileExists(p: string): boolean {
  const now = Date.now();
  const hit = existsCache.get(p);
  if (hit && now - hit.at < EXISTS_TTL_MS) return hit.exists;
  let exists = false;
  try {
    exists = fs.existsSync(p);
  } catch {
    exists = false;
  }
  if (existsCache.size > 2000) existsCache.clear();
  existsCache.set(p, { at: now, exists });
  return exists;
}

/** Text that is not text: NUL bytes or U+FFFD from a lossy decode. Returns the offset of the first one. */
export function binaryOffset(text: string): number | undefined {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return nul;
  const bad = text.indexOf('\uFFFD');
  return bad >= 0 ? bad : undefined;
}

export async function analyzeText(text: string, fileName: string, opts: AnalyzeOptions = {}): Promise<Analysis> {
  try {
    return await analyzeUnsafe(text, fileName, opts);
  } catch (e) {
    const lines = new LineIndex(text);
    return {
      format: opts.format,
      deployments: [],
      diagnostics: [{
        severity: 'error',
        code: 'internal-error',
        message: `KV Lens could not analyse this file (${e instanceof Error ? e.message : String(e)}); please report it.`,
        range: lines.range(0, 0),
      }],
    };
  }
}

async function analyzeUnsafe(text: string, fileName: string, opts: AnalyzeOptions): Promise<Analysis> {
  const format = opts.format ?? detectFormat(fileName, text, opts.associations);
  if (!format) return { deployments: [], diagnostics: [] };
  const zero: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const max = opts.maxChars ?? DEFAULT_MAX_CHARS;
  if (text.length > max) {
    return {
      format,
      deployments: [],
      diagnostics: [{
        severity: 'error',
        code: 'file-too-large',
        message: `This file is ${(text.length / 1048576).toFixed(1)} MiB; KV Lens analyses configs up to ${(max / 1048576).toFixed(0)} MiB (a serving config is a few KiB).`,
        range: zero,
      }],
    };
  }
  const bin = binaryOffset(text);
  if (bin !== undefined) {
    const lines = new LineIndex(text);
    return {
      format,
      deployments: [],
      diagnostics: [{
        severity: 'error',
        code: text[bin] === '\u0000' ? 'binary-file' : 'invalid-utf8',
        message: text[bin] === '\u0000'
          ? 'This file contains NUL bytes: it is binary, not a YAML/JSON config.'
          : 'This file is not valid UTF-8 (a replacement character was found); save it as UTF-8.',
        range: lines.range(bin, bin + 1),
      }],
    };
  }
  if (format === 'shell') {
    const r = analyzeShellScript(text, { vllmVersion: opts.vllmVersion, llamaCppBuild: opts.llamaCppBuild });
    const ruleDiags = await runRules(r.deployments, text, fileName, opts);
    return { format, deployments: r.deployments, diagnostics: sortDiagnostics([...r.diagnostics, ...notRepeated(ruleDiags, r.diagnostics)]) };
  }
  if (format === 'kubernetes') {
    const r = analyzeKubernetes(text, { vllmVersion: opts.vllmVersion, llamaCppBuild: opts.llamaCppBuild });
    const ruleDiags = await runRules(r.deployments, text, fileName, opts);
    return { format, deployments: r.deployments, diagnostics: sortDiagnostics([...r.diagnostics, ...notRepeated(ruleDiags, r.diagnostics)]), document: r.documents[0] };
  }
  const doc = parseDocument(text, languageOf(fileName, text));
  const diagnostics: KvDiagnostic[] = [...doc.diagnostics];
  let deployments: Deployment[] = [];
  const schemaDiags: KvDiagnostic[] = [];
  if (!doc.root) {
    if (diagnostics.length === 0 && format !== 'llama-swap') {
      diagnostics.push({ severity: 'warning', code: 'empty-file', message: emptyMessage(format), range: firstContentRange(doc) });
    }
    return { format, deployments, diagnostics: sortDiagnostics(attachFixes(diagnostics, { text, format, fileName })), document: doc };
  }
  const usable = doc.value !== undefined;
  if (format === 'kvlens-profile') {
    if (usable) schemaDiags.push(...profileSchemaDiagnostics(doc, opts));
    const r = profileDeployment(doc, fileName, opts.llamaCppBuild);
    diagnostics.push(...r.diagnostics);
    if (r.deployment) deployments.push(r.deployment);
  } else if (format === 'vllm') {
    // Checked as vLLM reads it: PyYAML (YAML 1.1 booleans), against the chosen version's table.
    if (usable) schemaDiags.push(...schemaDiagnostics('vllm', doc, yaml11Value(doc, doc.root), { schema: buildVllmSchema(opts.vllmVersion) }));
    const r = vllmDeployment(doc, fileName, vllmTable(opts.vllmVersion).version);
    diagnostics.push(...r.diagnostics);
    if (r.deployment) deployments.push(r.deployment);
  } else if (format === 'docker-compose') {
    const r = analyzeCompose(doc, { vllmVersion: opts.vllmVersion, llamaCppBuild: opts.llamaCppBuild });
    diagnostics.push(...r.diagnostics);
    deployments = r.deployments;
  } else {
    // Schema checked on the macro-expanded value (llama-swap expands macros before it decodes).
    const r = analyzeSwapDocument(doc, { llamaCppBuild: opts.llamaCppBuild });
    schemaDiags.push(...r.schemaDiagnostics);
    diagnostics.push(...r.diagnostics);
    deployments = r.deployments;
  }
  diagnostics.push(...schemaDiags);

  const ruleDiags = await runRules(deployments, text, fileName, opts);
  // A rule that says it better (overridesSchema) wins over the schema's error at its range instead.
  const better = new Set(ruleDiags.filter((d) => d.overridesSchema).map((d) => rangeKey(d.range)));
  const kept = better.size ? schemaDiags.filter((d) => !better.has(rangeKey(d.range))) : schemaDiags;
  if (kept.length !== schemaDiags.length) diagnostics.splice(diagnostics.length - schemaDiags.length, schemaDiags.length, ...kept);
  diagnostics.push(...notRepeated(ruleDiags, diagnostics));
  return { format, deployments, diagnostics: sortDiagnostics(attachFixes(diagnostics, { text, format, fileName })), document: doc };
}

/**
 * Where the schema or the engine's option table already reports an error, rules stay quiet: they would repeat it
 * (a generated bound and a hand-written rule on the same value), or judge a value that must change first.
 */
function notRepeated(ruleDiags: readonly KvDiagnostic[], formatDiags: readonly KvDiagnostic[]): KvDiagnostic[] {
  const taken = new Set(formatDiags.filter((d) => d.severity === 'error').map((d) => rangeKey(d.range)));
  return ruleDiags.filter((d) => d.overridesSchema || !taken.has(rangeKey(d.range))).map(({ overridesSchema: _o, ...d }) => d);
}

/**
 * A profile's schema; `engine.options` of a vLLM engine are checked against the vLLM version the profile names
 * (`engine.version`), else the setting's, else the newest table (the shipped profile schema has the newest).
 */
function profileSchemaDiagnostics(doc: ParsedDocument, opts: AnalyzeOptions): KvDiagnostic[] {
  const all = schemaDiagnostics('kvlens-profile', doc, doc.value);
  const engine = doc.root?.props?.get('engine');
  const options = engine?.props?.get('options');
  const version = engine?.props?.get('version')?.value;
  const wanted = vllmTable(typeof version === 'string' ? version : opts.vllmVersion).version;
  if (engine?.props?.get('kind')?.value !== 'vllm' || !options || options.type !== 'object' || wanted === vllmTable().version) return all;
  const inside = (r: Range): boolean => {
    const a = doc.lines.offset(r.start);
    return a >= options.start && a <= options.end;
  };
  const value = yaml11Value(doc, options);
  return [
    ...all.filter((d) => !inside(d.range)),
    ...schemaDiagnostics('vllm', doc, value, { schema: buildVllmSchema(wanted), basePath: ['engine', 'options'] }),
  ];
}

function emptyMessage(format: ConfigFormat): string {
  return format === 'kvlens-profile'
    ? 'This profile is empty: add `model`, `engine`, `workload` and `targets` (see examples/).'
    : 'This vLLM config is empty: add options such as `model` and `max-model-len`.';
}

async function runRules(deployments: Deployment[], text: string, fileName: string, opts: AnalyzeOptions): Promise<KvDiagnostic[]> {
  const out: KvDiagnostic[] = [];
  const baseDir = path.dirname(path.resolve(fileName));
  const fileExists = opts.fileExists ?? cachedFileExists;
  const rules = opts.rules ?? RULES;
  for (const deployment of deployments) {
    let modelResolution: ModelResolution | undefined;
    let draftResolution: ModelResolution | undefined;
    const mappedModelPath = deployment.model ? mapServerPath(deployment.model.ref, opts.pathMappings) : undefined;
    const mappedDraftPath = deployment.speculative?.draftRef ? mapServerPath(deployment.speculative.draftRef, opts.pathMappings) : undefined;
    if (opts.modelResolver) {
      if (deployment.model) modelResolution = await resolveModelRef(opts.modelResolver, deployment.model.ref, mappedModelPath, baseDir, fileExists);
      if (deployment.speculative?.draftRef) draftResolution = await resolveModelRef(opts.modelResolver, deployment.speculative.draftRef, mappedDraftPath, baseDir, fileExists);
    }
    const ctx: RuleContext = {
      deployment,
      model: modelResolution?.descriptor,
      modelError: modelResolution?.kind === 'error' ? modelResolution.error : undefined,
      text,
      fileName,
      baseDir,
      fileExists,
      modelResolution,
      draftResolution,
      defaultTargets: opts.defaultTargets,
      customTargets: opts.customTargets,
      mappedModelPath,
      mappedDraftPath,
    };
    for (const rule of rules) {
      try {
        out.push(...(await rule.run(ctx)));
      } catch {
        // One broken rule must not hide the others' findings.
      }
    }
  }
  return out;
}

/**
 * A model reference as the resolver should see it: a server path mapped to this machine (kvlens.pathMappings);
 * a server path that is not here, by the model name its file name gives (`…/Qwen2.5-7B-Instruct-Q4_K_M.gguf`).
 */
export async function resolveModelRef(
  resolver: ModelResolverLike, ref: string, mapped: string | undefined, baseDir: string, fileExists: (p: string) => boolean = cachedFileExists,
): Promise<ModelResolution> {
  const first = await safeResolve(resolver, mapped ?? ref, baseDir);
  if (first.kind !== 'missing' || refShape(ref) !== 'path' || fileExists(mapped ?? resolveRefPath(ref, baseDir))) return first;
  const hint = modelNameHint(ref);
  if (!hint) return first;
  const byName = await safeResolve(resolver, hint, baseDir);
  return byName.kind === 'missing' || byName.kind === 'error' ? first : byName;
}

async function safeResolve(resolver: ModelResolverLike, ref: string, baseDir: string): Promise<ModelResolution> {
  try {
    return await resolver.resolve(ref, baseDir);
  } catch (e) {
    return { kind: 'error', error: e instanceof Error ? e.message : String(e) };
  }
}

function rangeKey(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

const SEVERITY_ORDER = { error: 0, warning: 1, information: 2 } as const;

export function sortDiagnostics(ds: KvDiagnostic[]): KvDiagnostic[] {
  return ds.sort(
    (a, b) =>
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  );
}

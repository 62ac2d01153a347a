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
import { timeSlicer, yieldToEventLoop } from '../timeSlice';
import { attachFixes } from '../fixes';

export { MAX_ESTIMATED_DEPLOYMENTS, timeSlicer, yieldToEventLoop } from '../timeSlice';

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
  /** Larger texts are not parsed (default 4 MiB; the editor passes EDITOR_LIMITS). */
  maxChars?: number;
  /** Texts with more lines and list items are not parsed (default MAX_ITEMS). */
  maxItems?: number;
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
/**
 * What the editor analyses. The yaml parser is synchronous and analysis costs about 2 ms of CPU per KiB, all of
 * it on the extension host's one thread: 3.4 MB (a llama-swap file with 75,000 models) held it for seconds.
 * 512 KiB (about 1 s) is 7 times the largest published config we have (72 KiB) and 3 times the benchmark's
 * 5,000-line llama-swap file; larger files get one diagnostic, and `kvlens check` still reads up to 4 MiB.
 */
export const EDITOR_LIMITS = { maxChars: 512 * 1024, maxItems: 25_000 } as const;
/**
 * Lines plus commas (≈ the nodes a parser builds): the parsers' memory grows with them, not with the bytes. 4 MiB
 * of `k: 1` lines is 400,000 keys and over 800 MB of parse trees; this keeps one file's analysis near 400 MB.
 */
export const MAX_ITEMS = 200_000;

/** Newlines + commas, counting stops just past `limit`. */
export function countItems(text: string, limit: number): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // LF, comma, and a CR that is a line break of its own (not the first half of CRLF).
    if ((c === 10 || c === 44 || (c === 13 && text.charCodeAt(i + 1) !== 10)) && ++n > limit) return n;
  }
  return n;
}

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
    if (process.env.KVLENS_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
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
  const cli = max < DEFAULT_MAX_CHARS ? ` in the editor; \`kvlens check\` analyses up to ${(DEFAULT_MAX_CHARS / 1048576).toFixed(0)} MiB` : '';
  if (text.length > max) {
    return {
      format,
      deployments: [],
      diagnostics: [{
        severity: 'error',
        code: 'file-too-large',
        message: `This file is ${(text.length / 1048576).toFixed(1)} MiB; KV Lens analyses configs up to ${max >= 1048576 ? `${(max / 1048576).toFixed(0)} MiB` : `${Math.round(max / 1024)} KiB`}${cli} (a serving config is a few KiB).`,
        range: zero,
      }],
    };
  }
  const maxItems = opts.maxItems ?? MAX_ITEMS;
  const items = countItems(text, maxItems);
  if (items > maxItems) {
    return {
      format,
      deployments: [],
      diagnostics: [{
        severity: 'error',
        code: 'file-too-complex',
        message: `This file has more than ${maxItems.toLocaleString('en-US')} lines and list items; KV Lens analyses configs up to that${cli ? ` in the editor; \`kvlens check\` up to ${MAX_ITEMS.toLocaleString('en-US')}` : ''} (a serving config has a few hundred).`,
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
    return { format, deployments: r.deployments, diagnostics: capDiagnostics(sortDiagnostics(r.diagnostics.concat(notRepeated(ruleDiags, r.diagnostics)))) };
  }
  if (format === 'kubernetes') {
    const r = analyzeKubernetes(text, { vllmVersion: opts.vllmVersion, llamaCppBuild: opts.llamaCppBuild });
    const ruleDiags = await runRules(r.deployments, text, fileName, opts);
    return { format, deployments: r.deployments, diagnostics: capDiagnostics(sortDiagnostics(r.diagnostics.concat(notRepeated(ruleDiags, r.diagnostics)))), document: r.documents[0] };
  }
  const doc = parseDocument(text, languageOf(fileName, text));
  // Between stages the event loop gets a turn: in the editor, a big file's analysis must not hold the extension
  // host for its whole duration.
  if (text.length > 256 * 1024) await yieldToEventLoop();
  const diagnostics: KvDiagnostic[] = doc.diagnostics.slice();
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
    if (usable) append(schemaDiags, profileSchemaDiagnostics(doc, opts));
    const r = profileDeployment(doc, fileName, opts.llamaCppBuild);
    append(diagnostics, r.diagnostics);
    if (r.deployment) deployments.push(r.deployment);
  } else if (format === 'vllm') {
    // Checked as vLLM reads it: PyYAML (YAML 1.1 booleans), against the chosen version's table.
    if (usable) append(schemaDiags, schemaDiagnostics('vllm', doc, yaml11Value(doc, doc.root), { schema: buildVllmSchema(opts.vllmVersion) }));
    const r = vllmDeployment(doc, fileName, vllmTable(opts.vllmVersion).version);
    append(diagnostics, r.diagnostics);
    if (r.deployment) deployments.push(r.deployment);
  } else if (format === 'docker-compose') {
    const r = analyzeCompose(doc, { vllmVersion: opts.vllmVersion, llamaCppBuild: opts.llamaCppBuild });
    append(diagnostics, r.diagnostics);
    deployments = r.deployments;
  } else {
    // Schema checked on the macro-expanded value (llama-swap expands macros before it decodes).
    const r = analyzeSwapDocument(doc, { llamaCppBuild: opts.llamaCppBuild });
    append(schemaDiags, r.schemaDiagnostics);
    append(diagnostics, r.diagnostics);
    deployments = r.deployments;
  }
  append(diagnostics, schemaDiags);
  if (text.length > 256 * 1024) await yieldToEventLoop();

  const ruleDiags = await runRules(deployments, text, fileName, opts);
  // A rule that says it better (overridesSchema) wins over the schema's error at its range instead.
  const better = new Set(ruleDiags.filter((d) => d.overridesSchema).map((d) => rangeKey(d.range)));
  const fromSchema = new Set(schemaDiags);
  const all = better.size ? diagnostics.filter((d) => !fromSchema.has(d) || !better.has(rangeKey(d.range))) : diagnostics;
  append(all, notRepeated(ruleDiags, all));
  // Fixes are computed for the diagnostics that are shown (after the caps): 130,000 findings must not each get one.
  const shown = capDiagnostics(sortDiagnostics(all));
  return { format, deployments, diagnostics: sortDiagnostics(attachFixes(shown, { text, format, fileName })), document: doc };
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
  // One resolution per reference per analysis: a llama-swap file with 75,000 models naming the same GGUF stats and
  // copies it once, not 75,000 times. (Rules read the descriptor; none changes it.)
  const resolved = new Map<string, Promise<ModelResolution>>();
  const resolveOnce = (resolver: ModelResolverLike, ref: string, mapped: string | undefined): Promise<ModelResolution> => {
    const key = `${ref}\0${mapped ?? ''}`;
    let p = resolved.get(key);
    if (!p) resolved.set(key, (p = resolveModelRef(resolver, ref, mapped, baseDir, fileExists)));
    return p;
  };
  const slice = timeSlicer();
  for (const deployment of deployments) {
    const pause = slice();
    if (pause) await pause;
    let modelResolution: ModelResolution | undefined;
    let draftResolution: ModelResolution | undefined;
    const mappedModelPath = deployment.model ? mapServerPath(deployment.model.ref, opts.pathMappings) : undefined;
    const mappedDraftPath = deployment.speculative?.draftRef ? mapServerPath(deployment.speculative.draftRef, opts.pathMappings) : undefined;
    if (opts.modelResolver) {
      if (deployment.model) modelResolution = await resolveOnce(opts.modelResolver, deployment.model.ref, mappedModelPath);
      if (deployment.speculative?.draftRef) draftResolution = await resolveOnce(opts.modelResolver, deployment.speculative.draftRef, mappedDraftPath);
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
        // Most rules answer at once; awaiting each would cost a promise per rule per deployment.
        const found = rule.run(ctx);
        append(out, Array.isArray(found) ? found : await found);
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

/** out.push(...items) without the spread: a spread of 130,000 diagnostics overflows the call stack. */
function append<T>(out: T[], items: readonly T[]): void {
  for (const x of items) out.push(x);
}

/** At most this many diagnostics per code, and in all, per file: more helps no one and would flood the editor. */
export const MAX_DIAGNOSTICS_PER_CODE = 100;
/** Longer messages keep their start and end, with what was left out in between. */
export const MAX_MESSAGE_CHARS = 1000;

function shorten(m: string): string {
  const keep = Math.floor((MAX_MESSAGE_CHARS - 40) / 2);
  return `${m.slice(0, keep)} … (${(m.length - 2 * keep).toLocaleString('en-US')} characters left out) … ${m.slice(m.length - keep)}`;
}
export const MAX_DIAGNOSTICS = 1000;

/**
 * Caps a sorted diagnostic list: errors are kept before warnings and notes, at most MAX_DIAGNOSTICS_PER_CODE of
 * one code, MAX_DIAGNOSTICS in all, and one note at the first one left out says how many more there are (so the
 * exit status and the first findings stay right).
 */
export function capDiagnostics(ds: KvDiagnostic[]): KvDiagnostic[] {
  // A message quotes values from the file: a 3 MB `model:` string must not become a 3 MB message.
  for (const d of ds) if (d.message.length > MAX_MESSAGE_CHARS) d.message = shorten(d.message);
  if (ds.length <= MAX_DIAGNOSTICS_PER_CODE) return ds;
  const perCode = new Map<string, number>();
  const kept: KvDiagnostic[] = [];
  const dropped: KvDiagnostic[] = [];
  const bySeverity = [...ds].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  for (const d of bySeverity) {
    const n = (perCode.get(d.code) ?? 0) + 1;
    perCode.set(d.code, n);
    if (n > MAX_DIAGNOSTICS_PER_CODE || kept.length >= MAX_DIAGNOSTICS) dropped.push(d);
    else kept.push(d);
  }
  if (!dropped.length) return ds;
  const counts = new Map<string, number>();
  for (const d of dropped) counts.set(d.code, (counts.get(d.code) ?? 0) + 1);
  const first = dropped.reduce((a, b) => (b.range.start.line < a.range.start.line ? b : a));
  const what = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([c, n]) => `${n.toLocaleString('en-US')} × ${c}`).join(', ');
  kept.push({
    severity: 'information',
    code: 'diagnostics-truncated',
    message: `${dropped.length.toLocaleString('en-US')} more problems are not shown (${what}${counts.size > 5 ? ', …' : ''}); fix the ones shown first.`,
    range: first.range,
  });
  return sortDiagnostics(kept);
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

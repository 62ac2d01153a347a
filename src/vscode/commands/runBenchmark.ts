// `KV Lens: Run Benchmark` (palette, editor title, profile CodeLens): the sweep the profile describes — by
// default f16, q8_0 and q4_0 K/V at the profile's context — on the profile's GGUF, or on the generated model
// when none is local. Needs a trusted workspace: it starts an engine process. With the machine-scoped
// kvlens.engine.llamaBenchPath set, the user's own llama-bench runs instead of the bundled engine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BenchTestResult, ResultRecord } from '../../core/engine/protocol';
import { loadEngine, type BenchTestSpec, type Deployment, type ModelDescriptor, type SweepValues } from '../core';
import * as config from '../config';
import { targetDocument } from '../documents';
import type { Services } from '../services';

/** What the command resolves to (the integration test reads it; people read the notifications). */
export interface BenchOutcome {
  state: 'done' | 'cancelled' | 'failed' | 'refused';
  results: number;
  errors: string[];
  model?: string;
  generatedModel?: boolean;
  engine?: 'node-llama-cpp' | 'llama-bench';
  resultsPath?: string;
  message?: string;
}

/** One cache type's tests: the bundled engine takes the expanded tests, llama-bench the flag values. */
export interface TestGroup {
  values: SweepValues;
  tests: BenchTestSpec[];
}


export function registerRunBenchmark(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('kvlens.runBenchmark', (uriArg?: unknown, overrides?: Partial<config.SweepSettings>) => runBenchmark(s, uriArg, overrides));
}

async function runBenchmark(s: Services, uriArg: unknown, overrides?: Partial<config.SweepSettings>): Promise<BenchOutcome> {
  if (!vscode.workspace.isTrusted) {
    const msg = 'KV Lens runs benchmarks only in a trusted workspace: a benchmark starts the llama.cpp engine as a process on this machine. Estimates and validation work without trust.';
    void vscode.window.showErrorMessage(msg, 'Manage Workspace Trust').then((b) => {
      if (b) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return { state: 'refused', results: 0, errors: [], message: msg };
  }
  const signal = s.bench.begin();
  if (!signal) {
    void vscode.window.showWarningMessage('KV Lens: a benchmark is already running. Cancel it first (KV Lens: Cancel Benchmark).');
    return { state: 'refused', results: 0, errors: [], message: 'already running' };
  }
  const log = s.log();
  try {
    const doc = await targetDocument(s.analyses, uriArg);
    const analysis = doc ? await s.analyses.analyze(doc) : undefined;
    const deployment = analysis?.deployments.find((d) => d.engine.kind === 'llama.cpp') ?? analysis?.deployments[0];
    const sweep = { ...config.sweepSettings(doc?.uri), ...(overrides ?? {}) };
    const llamaBench = config.machinePath('engine.llamaBenchPath');
    const { model, generated, reason } = await pickModel(s, deployment, doc?.fileName);
    if (generated) {
      void vscode.window.showInformationMessage(`KV Lens: ${reason} Measuring on the generated ${path.basename(model)} (a small random-weight llama model) instead; the speeds are this machine's for that model.`);
    }
    const groups = buildTests(deployment, sweep, !!llamaBench, log);
    const tests = groups.flatMap((g) => g.tests);
    log.info(`benchmark: ${tests.length} tests on ${model}${deployment ? ` (profile ${deployment.name})` : ''} with ${llamaBench ? `llama-bench at ${llamaBench}` : 'the bundled engine'}`);

    const e = loadEngine();
    const store = new e.ResultsStore(s.bench.resultsPath);
    const sha = await e.sha256File(model);
    // The estimator's KV bytes and tok/s for each test's exact settings on this machine, saved beside the measurement
    // (the same figures `kvlens bench` saves), so the dashboard shows estimate, measured and difference per test.
    const descriptor: ModelDescriptor | undefined = await e.modelDescriptor(model).catch(() => undefined);
    const local = descriptor ? await e.localBenchTarget(false).catch(() => undefined) : undefined;
    const runId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const errors: string[] = [];
    let saved = 0;
    const pending: Promise<unknown>[] = [];

    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'KV Lens benchmark', cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => s.bench.cancel());
        let done = 0;
        const step = 100 / Math.max(1, tests.length);
        const label = (t: BenchTestSpec | undefined): string => (t ? `${t.type_k === t.type_v ? t.type_k : `${t.type_k}/${t.type_v}`} ${e.testLabel(t)}` : '');
        progress.report({ message: `0/${tests.length} starting the engine…` });
        s.bench.report({ done: 0, total: tests.length, state: 'running' });
        const onResult = (offset: number) => (r: BenchTestResult, i: number) => {
          const index = offset + i;
          done++;
          progress.report({ increment: step, message: `${done}/${tests.length} ${label(tests[index])}` });
          s.bench.report({ done, total: tests.length, label: label(tests[index]), state: 'running' });
          if (r.error) {
            errors.push(r.error);
            log.error(`test ${index + 1}: ${r.error}`);
            return;
          }
          const t = tests[index];
          let estimate: ResultRecord['estimate'] | undefined;
          if (descriptor && t) {
            try {
              const k = e.estimateKvForTest(descriptor, t);
              estimate = { kvBytes: k.kvBytes, kvKBytes: k.kvKBytes, kvVBytes: k.kvVBytes };
            } catch { /* no estimate for this test: the record still stands */ }
            try {
              if (local) {
                const sp = e.estimateSpeedForTest(descriptor, t, local.target);
                // The calibration id tags the figures: this machine's calibration (calibration/machine.ts) uses only
                // runs estimated by the calibration in use, so without it the run would never refine an estimate.
                estimate = { ...estimate, prefillTokensPerSec: sp.prefillTokensPerSec, decodeTokensPerSec: sp.decodeTokensPerSec, ...(sp.calibration ? { calibration: sp.calibration } : {}) };
              }
            } catch { /* speed estimate unavailable: KV still compared */ }
          }
          // Saved as each test finishes, so a later crash or cancel keeps what was measured.
          const rec = e.toRecords([r], { modelPath: model, modelSha256: sha, modelName: descriptor?.name ?? path.basename(model), architecture: descriptor?.architecture, flags: testFlags(t, sweep.repetitions), profile: doc?.fileName, runId, estimates: [estimate], planned: tests.length });
          pending.push(store.append(rec).then(() => { saved++; }, (err) => errors.push(`could not save a result: ${err instanceof Error ? err.message : String(err)}`)));
        };
        const common = { signal, timeoutMs: config.engineTimeoutMs(), onLog: (level: string, text: string) => logLine(log, level, text) };
        const results: BenchTestResult[] = [];
        try {
          if (llamaBench) {
            let offset = 0;
            for (const g of groups) {
              if (signal.aborted) break;
              progress.report({ message: `${done}/${tests.length} llama-bench ${g.values.ctk[0]}…` });
              results.push(...await e.runLlamaBench(llamaBench, e.llamaBenchArgs(model, g.values, new Set(['ngl'])), { ...common, onResult: onResult(offset) }));
              offset += g.tests.length;
            }
          } else {
            results.push(...await e.runBench({ model, tests, reps: sweep.repetitions }, {
              ...common,
              runnerPath: s.context.asAbsolutePath('dist/runner.mjs'),
              nodePath: config.machinePath('engine.nodePath'),
              onResult: onResult(0),
              onProgress: (p) => {
                progress.report({ message: `${Math.min(p.test + 1, tests.length)}/${tests.length} ${label(tests[p.test])}${p.phase ? ` (${p.phase})` : ''}` });
              },
            }));
          }
        } catch (err) {
          if (!(err instanceof e.BenchRunError && err.kind === 'cancelled') && !signal.aborted) throw err;
          if (err instanceof e.BenchRunError) results.push(...err.results);
        } finally {
          await Promise.all(pending);
        }
        return results;
      },
    );
    for (const r of outcome) if (r.error && !errors.includes(r.error)) errors.push(r.error);
    const state = signal.aborted ? 'cancelled' : errors.length && saved === 0 ? 'failed' : 'done';
    s.bench.report({ done: saved, total: tests.length, state, message: errors[0] });
    s.bench.saved(outcome.filter((r) => !r.error));
    const summary = `KV Lens: ${state === 'cancelled' ? 'benchmark cancelled' : 'benchmark finished'} — ${saved} of ${tests.length} tests saved${errors.length ? `, ${errors.length} failed: ${errors[0].split('\n')[0]}` : ''}.`;
    if (state === 'failed') {
      // A run-level failure (no engine binary, model does not load) arrives as every test's error.
      const why = engineErrorText(new Error(errors[0] ?? 'unknown error'));
      if (why !== errors[0]) log.error(why);
      void vscode.window.showErrorMessage(why === errors[0] ? summary : `${summary} ${why.split('\n').slice(1).join(' ')}`, 'Show Engine Log').then((b) => b && log.show());
    }
    else void vscode.window.showInformationMessage(summary, 'Open Dashboard').then((b) => b && vscode.commands.executeCommand('kvlens.openDashboard', doc?.uri));
    return { state, results: saved, errors, model, generatedModel: generated, engine: llamaBench ? 'llama-bench' : 'node-llama-cpp', resultsPath: s.bench.resultsPath };
  } catch (err) {
    const message = engineErrorText(err);
    log.error(message);
    const state = signal.aborted ? 'cancelled' : 'failed';
    s.bench.report({ done: 0, total: 0, state, message });
    if (state === 'failed') void vscode.window.showErrorMessage(`KV Lens benchmark failed: ${message.split('\n')[0]}`, 'Show Engine Log').then((b) => b && log.show());
    return { state, results: 0, errors: [message], message, resultsPath: s.bench.resultsPath };
  } finally {
    s.bench.end();
  }
}

/** The profile's GGUF when it is a local file, else the generated default model (created once, cached). */
async function pickModel(s: Services, d: Deployment | undefined, fileName?: string): Promise<{ model: string; generated: boolean; reason: string }> {
  const { ensureDefaultModel } = loadEngine();
  const ref = d?.model?.ref ?? d?.engine.modelRef;
  if (ref && /\.gguf$/i.test(ref)) {
    const p = path.isAbsolute(ref) || !fileName ? ref : path.resolve(path.dirname(fileName), ref);
    if (fs.existsSync(p)) return { model: p, generated: false, reason: '' };
    return { model: await ensureDefaultModel(s.bench.modelsDir), generated: true, reason: `${ref} does not exist on this machine.` };
  }
  const reason = ref ? `${ref} is not a local GGUF file.` : 'No model is set.';
  return { model: await ensureDefaultModel(s.bench.modelsDir), generated: true, reason };
}

/**
 * One K=V cache type per group (f16/f16, q8_0/q8_0, ...), not the K×V cross product, at the profile's context
 * and parallelism. A quantized V cache needs flash attention in llama.cpp, so those tests turn it on.
 * llama-bench has no -c/-np: for it every test is sized as prompt + gen + depth on one sequence.
 */
export function buildTests(d: Deployment | undefined, sweep: config.SweepSettings, forLlamaBench: boolean, log?: vscode.LogOutputChannel): TestGroup[] {
  const { expandSweep, SWEEP_DEFAULTS, ggmlType } = loadEngine();
  const e = d?.engine;
  const groups: TestGroup[] = [];
  const threads = config.engineThreads();
  for (const ct of sweep.cacheTypes) {
    const quantized = ggmlType(ct)?.quantized === true;
    const fa = quantized ? 'on' : e?.flashAttention ?? 'auto';
    if (quantized && e?.flashAttention === 'off') log?.info(`${ct} V cache: flash attention turned on for these tests (llama.cpp requires it)`);
    const values: SweepValues = {
      ...SWEEP_DEFAULTS,
      p: [sweep.promptTokens], n: [sweep.genTokens], d: sweep.depths,
      c: [!forLlamaBench && e?.contextSize && e.contextSize > 0 ? e.contextSize : 0],
      np: [!forLlamaBench && e?.parallel && e.parallel > 0 ? e.parallel : 1],
      ctk: [ct as SweepValues['ctk'][number]], ctv: [ct as SweepValues['ctv'][number]], fa: [fa],
      t: [threads], ngl: [e?.gpuLayers ?? 0], r: sweep.repetitions,
    };
    try {
      groups.push({ values, tests: expandSweep(values) });
    } catch (err) {
      // The profile's context is too small for the sweep's prompt + generation + depth: size it like llama-bench.
      log?.warn(`${err instanceof Error ? err.message : String(err)}; using llama-bench's context sizing instead`);
      const v = { ...values, c: [0] };
      groups.push({ values: v, tests: expandSweep(v) });
    }
  }
  return groups;
}

/** The llama-bench flags that reproduce one test, saved with its record. */
function testFlags(t: BenchTestSpec | undefined, reps: number): string[] {
  if (!t) return [];
  return ['-p', String(t.n_prompt), '-n', String(t.n_gen), '-d', String(t.n_depth), '-c', String(t.n_ctx_requested), '-np', String(t.n_seq),
    '-ctk', t.type_k, '-ctv', t.type_v, '-fa', t.flash_attn, '-t', String(t.n_threads), '-ngl', String(t.n_gpu_layers), '-r', String(reps)];
}

function logLine(log: vscode.LogOutputChannel, level: string, text: string): void {
  const t = text.replace(/\s+$/, '');
  if (!t) return;
  if (level === 'error') log.error(t);
  else if (level === 'warn' || level === 'warning') log.warn(t);
  else if (level === 'debug') log.debug(t);
  else log.info(t);
}

function engineErrorText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  if (/Cannot find (module|package).*node-llama-cpp|no prebuilt binary|binary.*not found|ERR_MODULE_NOT_FOUND/i.test(m)) {
    return `${m}\nThis installation has no llama.cpp binary for ${process.platform}-${process.arch}: install the KV Lens VSIX built for your platform, or set kvlens.engine.llamaBenchPath (user settings) to your own llama-bench. Estimates and validation work without it.`;
  }
  return m;
}

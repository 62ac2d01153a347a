// Typed reads of the `kvlens.*` settings (declared in package.json `contributes.configuration`).
import * as vscode from 'vscode';
import type { ConfigFormat, CustomTarget } from './core';

const FORMATS: ReadonlySet<string> = new Set(['kvlens-profile', 'vllm', 'llama-swap', 'shell', 'docker-compose', 'kubernetes']);

export interface SweepSettings {
  cacheTypes: string[];
  promptTokens: number;
  genTokens: number;
  depths: number[];
  repetitions: number;
}

function cfg(scope?: vscode.ConfigurationScope): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('kvlens', scope);
}

/**
 * `kvlens.fileAssociations`, checked for shape. The core matches a glob with a '/' against the path's tail
 * (`deploy/*.yaml` matches /any/where/deploy/x.yaml) and one without against the file name.
 */
export function fileAssociations(uri: vscode.Uri): Record<string, ConfigFormat> {
  const raw = cfg(uri).get<Record<string, unknown>>('fileAssociations') ?? {};
  const out: Record<string, ConfigFormat> = {};
  for (const [glob, format] of Object.entries(raw)) {
    if (typeof format === 'string' && FORMATS.has(format)) out[glob] = format as ConfigFormat;
  }
  return out;
}

export const validationEnabled = (uri?: vscode.Uri): boolean => cfg(uri).get<boolean>('validation.enabled', true);
export const debounceMs = (): number => clampInt(cfg().get<number>('validation.debounceMs', 250), 0, 5000, 250);
export const codeLensEnabled = (uri?: vscode.Uri): boolean => cfg(uri).get<boolean>('codeLens.enabled', true);
export const hoverEnabled = (uri?: vscode.Uri): boolean => cfg(uri).get<boolean>('hover.enabled', true);
export const statusBarEnabled = (): boolean => cfg().get<boolean>('statusBar.enabled', true);
export const primaryTarget = (): string => cfg().get<string>('targets.primary', '') ?? '';
export const defaultTargets = (uri?: vscode.Uri): string[] =>
  (cfg(uri).get<unknown[]>('targets.default') ?? []).filter((x): x is string => typeof x === 'string' && x.length > 0);
export const customTargets = (): CustomTarget[] =>
  (cfg().get<unknown[]>('targets.custom') ?? []).filter((x): x is CustomTarget =>
    typeof x === 'object' && x !== null && !Array.isArray(x) && typeof (x as { id?: unknown }).id === 'string');

/** Machine-scoped executables: read only from user (global) settings, never from a workspace. */
export function machinePath(key: 'engine.llamaBenchPath' | 'engine.nodePath'): string | undefined {
  const v = cfg().inspect<string>(key)?.globalValue;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}
export const engineTimeoutMs = (): number => clampInt(cfg().get<number>('engine.timeoutSeconds', 600), 10, 86400, 600) * 1000;
export const engineThreads = (): number => clampInt(cfg().get<number>('engine.threads', 0), 0, 1024, 0);

export function sweepSettings(uri?: vscode.Uri): SweepSettings {
  const raw = cfg(uri).get<Partial<SweepSettings>>('benchmark.defaultSweep') ?? {};
  const ints = (a: unknown, d: number[]): number[] => (Array.isArray(a) && a.every((x) => Number.isInteger(x) && x >= 0) && a.length ? a : d);
  return {
    cacheTypes: Array.isArray(raw.cacheTypes) && raw.cacheTypes.length && raw.cacheTypes.every((x) => typeof x === 'string') ? raw.cacheTypes : ['f16', 'q8_0', 'q4_0'],
    promptTokens: clampInt(raw.promptTokens, 0, 1 << 20, 512),
    genTokens: clampInt(raw.genTokens, 0, 1 << 20, 128),
    depths: ints(raw.depths, [0, 512]),
    repetitions: clampInt(raw.repetitions, 1, 1000, 3),
  };
}

function clampInt(v: unknown, min: number, max: number, dflt: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return dflt;
  return Math.min(max, Math.max(min, Math.round(v)));
}

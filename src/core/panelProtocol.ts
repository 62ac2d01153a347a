// Messages between the extension host and the dashboard webview. Both bundles import this file, and both check
// what they receive at run time: a webview is a web page and its messages are untrusted input to the host.
import type { DashboardViewModel, RunFilter } from './report/viewModel';

export type ExportFormat = 'json' | 'csv' | 'md';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'csv', 'md'];

export interface BenchProgress {
  /** Tests finished so far and in total. */
  done: number;
  total: number;
  /** What runs now, e.g. "pp512 q8_0/q8_0". */
  label?: string;
  /** 'running' while tests run; the final state otherwise. */
  state: 'running' | 'done' | 'cancelled' | 'failed';
  message?: string;
}

export type HostToWebview =
  | { type: 'state'; profileUri: string; viewModel: DashboardViewModel }
  | { type: 'benchProgress'; progress: BenchProgress }
  | { type: 'results'; viewModel: DashboardViewModel };

export type WebviewToHost =
  | { type: 'ready' }
  /** runFilter: the history filter on screen, so an export holds the runs the user sees. */
  | { type: 'export'; format: ExportFormat; runFilter?: RunFilter }
  | { type: 'deleteRuns'; ids: string[] }
  | { type: 'runBenchmark' }
  | { type: 'openFile'; path: string; line?: number }
  /** "Calibrate from this run" on a load test (runId from the view-model). */
  | { type: 'calibrateLoadTest'; runId: string };

/** Webview state kept by vscode.setState so the view comes back the same after a reload. */
export interface WebviewUiState {
  tab?: string;
  target?: string;
  historyFilter?: { text?: string; type?: string; from?: string; to?: string };
  profileUri?: string;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/** Only the keys a message type defines are allowed, so a message cannot smuggle fields the host might read later. */
function onlyKeys(o: Record<string, unknown>, keys: string[]): boolean {
  return Object.keys(o).every((k) => keys.includes(k));
}

function isRunFilter(x: unknown): x is RunFilter {
  const optStr = (v: unknown) => v === undefined || (isStr(v) && v.length <= 1000);
  return isObj(x) && onlyKeys(x, ['text', 'type', 'from', 'to']) && optStr(x.text) && optStr(x.type) && optStr(x.from) && optStr(x.to);
}

export function isWebviewToHost(x: unknown): x is WebviewToHost {
  if (!isObj(x) || !isStr(x.type)) return false;
  switch (x.type) {
    case 'ready':
    case 'runBenchmark':
      return onlyKeys(x, ['type']);
    case 'export':
      return onlyKeys(x, ['type', 'format', 'runFilter']) && isStr(x.format) && (EXPORT_FORMATS as readonly string[]).includes(x.format)
        && (x.runFilter === undefined || isRunFilter(x.runFilter));
    case 'deleteRuns':
      return onlyKeys(x, ['type', 'ids']) && Array.isArray(x.ids) && x.ids.length <= 100_000
        && x.ids.every((id) => isStr(id) && id.length > 0 && id.length <= 200);
    case 'calibrateLoadTest':
      return onlyKeys(x, ['type', 'runId']) && isStr(x.runId) && x.runId.length > 0 && x.runId.length <= 200;
    case 'openFile':
      return onlyKeys(x, ['type', 'path', 'line']) && isStr(x.path) && x.path.length > 0 && x.path.length <= 4096
        && (x.line === undefined || (isInt(x.line) && x.line >= 0));
    default:
      return false;
  }
}

function isProgress(x: unknown): x is BenchProgress {
  return isObj(x) && isInt(x.done) && isInt(x.total) && x.done >= 0 && x.total >= 0
    && (x.label === undefined || isStr(x.label)) && (x.message === undefined || isStr(x.message))
    && isStr(x.state) && ['running', 'done', 'cancelled', 'failed'].includes(x.state);
}

/** The host is trusted, but the webview also renders a report from a file; check the envelope and the view-model's spine. */
export function isViewModel(x: unknown): x is DashboardViewModel {
  return isObj(x) && x.version === 1 && isStr(x.title) && Array.isArray(x.deployments) && isObj(x.runs)
    && Array.isArray((x.runs as Record<string, unknown>).rows);
}

export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isObj(x) || !isStr(x.type)) return false;
  switch (x.type) {
    case 'state':
      return isStr(x.profileUri) && isViewModel(x.viewModel);
    case 'results':
      return isViewModel(x.viewModel);
    case 'benchProgress':
      return isProgress(x.progress);
    default:
      return false;
  }
}

// `KV Lens: Cancel Benchmark`: aborts the running sweep (the runner is killed within a second).
import * as vscode from 'vscode';
import type { Services } from '../services';

export function registerCancelBenchmark(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('kvlens.cancelBenchmark', () => s.bench.cancel());
}

// Runs one benchmark sweep at a time on the engine runner (a child process; never in the extension host),
// saves each result to the JSON Lines store in global storage, and reports progress to whoever listens
// (the progress notification, the dashboard).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BenchTestResult } from '../core/engine/protocol';
import type { Services } from './services';

export interface BenchProgressEvent {
  done: number;
  total: number;
  label?: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  message?: string;
}

export class BenchService implements vscode.Disposable {
  private controller: AbortController | undefined;
  private readonly progress = new vscode.EventEmitter<BenchProgressEvent>();
  readonly onProgress = this.progress.event;
  private readonly results = new vscode.EventEmitter<BenchTestResult[]>();
  /** Fired after results were appended to the store. */
  readonly onResults = this.results.event;

  constructor(private readonly services: Services) {}

  get resultsPath(): string {
    return path.join(this.services.context.globalStorageUri.fsPath, 'results.jsonl');
  }

  get modelsDir(): string {
    return path.join(this.services.context.globalStorageUri.fsPath, 'models');
  }

  get running(): boolean {
    return this.controller !== undefined;
  }

  /** Claims the single run slot; returns the AbortSignal, or undefined when a run is already going. */
  begin(): AbortSignal | undefined {
    if (this.controller) return undefined;
    this.controller = new AbortController();
    fs.mkdirSync(path.dirname(this.resultsPath), { recursive: true });
    void vscode.commands.executeCommand('setContext', 'kvlens.benchmarkRunning', true);
    return this.controller.signal;
  }

  end(): void {
    this.controller = undefined;
    void vscode.commands.executeCommand('setContext', 'kvlens.benchmarkRunning', false);
  }

  report(e: BenchProgressEvent): void {
    this.progress.fire(e);
  }

  saved(results: BenchTestResult[]): void {
    this.results.fire(results);
  }

  cancel(): boolean {
    if (!this.controller) return false;
    this.controller.abort();
    return true;
  }

  dispose(): void {
    this.controller?.abort();
    this.progress.dispose();
    this.results.dispose();
  }
}

// `KV Lens: Show Engine Log`.
import * as vscode from 'vscode';
import type { Services } from '../services';

export function registerShowLog(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('kvlens.showLog', () => s.log().show(true));
}

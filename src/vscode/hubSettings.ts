// Hub settings for the model resolver, read only from user (global) settings: endpoint, token file and the
// network switch are machine/application-scoped so a workspace file can never point the token at another host;
// an untrusted workspace resolves from caches only.
import * as vscode from 'vscode';
import type { HubSettings } from '../core/models/hub/env';

function globalString(key: string): string | undefined {
  const v = vscode.workspace.getConfiguration('kvlens').inspect<string>(key)?.globalValue;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export function hubSettings(): HubSettings & { lmStudioFolder?: string } {
  const network = vscode.workspace.getConfiguration('kvlens').inspect<boolean>('hub.network')?.globalValue;
  return {
    endpoint: globalString('hub.endpoint'),
    tokenFile: globalString('hub.tokenFile'),
    network: network === false ? false : undefined,
    trusted: vscode.workspace.isTrusted,
    lmStudioFolder: globalString('models.lmStudioFolder'),
  };
}

// The dashboard lives in src/vscode/panel (helper H). Commands go through this file so that "open the panel,
// else the Markdown details" is decided in one place. The panel module is loaded lazily for showDashboard; the
// serializer registration needs it at activation.
import type * as vscode from 'vscode';
import type { Services } from './services';
import type * as Panel from './panel';

let panel: typeof Panel | undefined;
function loadPanel(): typeof Panel {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the panel pulls in the report view-model
  return (panel ??= require('./panel') as typeof Panel);
}

/** Opens the dashboard for the document; false when the panel cannot open (then callers show Markdown). */
export async function showDashboard(services: Services, uri: vscode.Uri): Promise<boolean> {
  try {
    return await loadPanel().showDashboard(services, uri);
  } catch (e) {
    services.log().error(`dashboard: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return false;
  }
}

/** Registers the panel's serializer (restores panels after a reload) and its benchmark listeners. */
export function registerPanel(services: Services): vscode.Disposable[] {
  return loadPanel().registerPanel(services);
}

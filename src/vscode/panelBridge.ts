// The dashboard lives in src/vscode/panel (helper H). Commands go through this file so that "open the panel,
// else the Markdown details" is decided in one place. The panel module is loaded lazily for showDashboard; the
// serializer registration needs it at activation.
import * as vscodeApi from 'vscode';
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

/** The webview type the serializer restores (the same string as panel/dashboardPanel.ts's DASHBOARD_VIEW_TYPE). */
const VIEW_TYPE = 'kvlens.dashboard';

/**
 * Registers the panel's serializer (restores panels after a reload) and its benchmark listeners without loading
 * the panel module: it (and the report view-model behind it) loads when a panel is restored or opened. Until then
 * no panel exists, so the listeners have no one to tell.
 */
export function registerPanel(services: Services): vscode.Disposable[] {
  return [
    vscodeApi.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: (p, state) => new (loadPanel().DashboardSerializer)(services).deserializeWebviewPanel(p, state),
    }),
    services.bench.onProgress((e) => panel?.DashboardPanel.notifyBenchmark(e)),
    services.bench.onResults(() => panel?.DashboardPanel.refreshResults()),
  ];
}

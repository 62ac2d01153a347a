// What the rest of the extension calls: src/vscode/panelBridge.ts forwards here.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { DashboardPanel, DASHBOARD_VIEW_TYPE } from './dashboardPanel';
import { DashboardSerializer } from './serializer';

export { DashboardPanel, DASHBOARD_VIEW_TYPE } from './dashboardPanel';
export { DashboardSerializer } from './serializer';

export async function showDashboard(services: Services, uri: vscode.Uri): Promise<boolean> {
  await DashboardPanel.show(services, uri);
  return true;
}

/** The serializer (needs `onWebviewPanel:kvlens.dashboard` activation) and the benchmark listeners. */
export function registerPanel(services: Services): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, new DashboardSerializer(services)),
    services.bench.onProgress((p) => DashboardPanel.notifyBenchmark(p)),
    services.bench.onResults(() => DashboardPanel.refreshResults()),
  ];
}

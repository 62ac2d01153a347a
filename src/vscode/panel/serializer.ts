// Brings dashboards back after a window reload: the webview saved its profile URI with setState, and the panel
// is re-created for that profile (or closed when the state is unreadable).
import * as vscode from 'vscode';
import type { Services } from '../services';
import { DashboardPanel } from './dashboardPanel';

export class DashboardSerializer implements vscode.WebviewPanelSerializer {
  constructor(private readonly services: Services) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const raw = state && typeof state === 'object' ? (state as { profileUri?: unknown }).profileUri : undefined;
    let uri: vscode.Uri | undefined;
    if (typeof raw === 'string' && raw.length > 0 && raw.length < 8192) {
      try { uri = vscode.Uri.parse(raw, true); } catch { uri = undefined; }
    }
    if (!uri || DashboardPanel.get(uri)) {
      panel.dispose();
      return;
    }
    DashboardPanel.revive(this.services, panel, uri);
  }
}

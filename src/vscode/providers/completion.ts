// Completion without any other extension: the core (src/core/completion) reads the cursor's place in the YAML or
// JSON text and offers keys and values from our schemas, llama.cpp flags and values in `args` / `cmd`, target ids
// and model ids. This turns its entries into CompletionItems.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnalysisService } from '../analysisService';
import type { CompletionEntry, CompletionKind, CompletionOptions } from '../../core/completion';
import * as config from '../config';
import { loadCore } from '../core';

export const COMPLETION_TRIGGERS = ['-', ':', ' ', '"', "'", '[', ',', '/'];

const KINDS: Record<CompletionKind, vscode.CompletionItemKind> = {
  property: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.Value,
  enum: vscode.CompletionItemKind.EnumMember,
  flag: vscode.CompletionItemKind.Keyword,
  target: vscode.CompletionItemKind.Constant,
  model: vscode.CompletionItemKind.Module,
  keyword: vscode.CompletionItemKind.Keyword,
};

/** Local model files next to the document (GGUFs, folders with config.json): bounded, cached for a few seconds. */
const localCache = new Map<string, { at: number; ids: { id: string; detail: string }[] }>();
function localModels(doc: vscode.TextDocument): { id: string; detail: string }[] {
  if (doc.uri.scheme !== 'file') return [];
  const dir = path.dirname(doc.fileName);
  const hit = localCache.get(dir);
  if (hit && Date.now() - hit.at < 5000) return hit.ids;
  const ids: { id: string; detail: string }[] = [];
  const walk = (d: string, rel: string, depth: number) => {
    if (depth > 2 || ids.length >= 100) return;
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true }).slice(0, 300);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isFile() && /\.gguf$/i.test(e.name) && !/^mmproj/i.test(e.name)) ids.push({ id: `./${r}`, detail: 'GGUF next to this file' });
      else if (e.isFile() && e.name === 'config.json' && rel) ids.push({ id: `./${rel}`, detail: 'model folder (config.json)' });
      else if (e.isDirectory()) walk(path.join(d, e.name), r, depth + 1);
    }
  };
  walk(dir, '', 0);
  localCache.set(dir, { at: Date.now(), ids });
  if (localCache.size > 50) localCache.delete(localCache.keys().next().value as string);
  return ids;
}

export class CompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly analyses: AnalysisService) {}

  provideCompletionItems(doc: vscode.TextDocument, pos: vscode.Position): vscode.CompletionItem[] | undefined {
    const format = this.analyses.formatOf(doc);
    if (!format) return undefined;
    const text = doc.getText();
    if (text.length > 1024 * 1024) return undefined;
    const core = loadCore();
    const lang = doc.languageId === 'json' || doc.languageId === 'jsonc' || /\.jsonc?$/i.test(doc.fileName) ? 'json' : 'yaml';
    const custom = config.customTargets();
    const hardware: CompletionOptions['hardware'] = [
      ...custom.map((c) => {
        const gib = (c as { memoryGiB?: unknown }).memoryGiB;
        return { id: c.id, name: typeof c.name === 'string' ? c.name : `custom target ${c.id}`, memoryBytes: typeof gib === 'number' ? gib * 1024 ** 3 : 0, custom: true };
      }),
      ...core.loadHardwareCatalog().targets.map((t) => ({ id: t.id, name: t.name, memoryBytes: t.memoryBytes, aliases: (t as { aliases?: string[] }).aliases })),
    ];
    const models = [...localModels(doc), ...core.listCatalogModels().map((m) => ({ id: m.id, detail: `${m.published?.params ? `${Math.round(m.published.params / 1e9)} B · ` : ''}KV Lens catalog` }))];
    const { llamaCppBuild } = core.formatOptionsFromSettings((k) => vscode.workspace.getConfiguration('kvlens', doc.uri).get(k));
    const entries = core.completionsAt(text, doc.offsetAt(pos), { format, lang, hardware, models, llamaCppBuild });
    return entries.map((e) => toItem(doc, e));
  }
}

function toItem(doc: vscode.TextDocument, e: CompletionEntry): vscode.CompletionItem {
  const item = new vscode.CompletionItem(e.label, KINDS[e.kind]);
  item.insertText = e.insertText;
  item.range = new vscode.Range(doc.positionAt(e.replace[0]), doc.positionAt(e.replace[1]));
  if (e.detail) item.detail = e.detail;
  if (e.documentation) {
    const md = new vscode.MarkdownString(e.documentation);
    md.isTrusted = false;
    md.supportHtml = false;
    item.documentation = md;
  }
  if (e.sortText) item.sortText = e.sortText;
  if (e.filterText) item.filterText = e.filterText;
  // A key's value comes next: open the suggestions again for it.
  if (e.kind === 'property') item.command = { command: 'editor.action.triggerSuggest', title: 'values' };
  return item;
}

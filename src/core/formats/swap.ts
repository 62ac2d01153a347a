// llama-swap files inside analyzeText: helper A's analyzeLlamaSwap (./llamaSwap.ts) does the work — macros,
// cmd flags, one deployment per llama-server model. This adapter only feeds it our parsed document.
import type { Deployment } from '../deployment';
import type { KvDiagnostic } from '../diagnostics';
import { firstContentRange, type ParsedDocument } from './document';
import { analyzeLlamaSwap } from './llamaSwap';

export function analyzeSwapDocument(doc: ParsedDocument): { deployments: Deployment[]; diagnostics: KvDiagnostic[] } {
  if (doc.lang !== 'yaml' || !doc.yamlDoc || !doc.lineCounter) {
    return {
      deployments: [],
      diagnostics: [{ severity: 'error', code: 'invalid-type', message: 'llama-swap configs are YAML files.', range: firstContentRange(doc) }],
    };
  }
  if (doc.root?.type !== 'object' || doc.root.props?.get('models')?.type !== 'object') {
    return {
      deployments: [],
      diagnostics: [{
        severity: 'error',
        code: 'missing-key',
        message: 'A llama-swap config needs a `models:` mapping (model name → `cmd: llama-server ...`).',
        range: firstContentRange(doc),
      }],
    };
  }
  return analyzeLlamaSwap(doc.yamlDoc, doc.text, doc.lineCounter);
}

// Which format a file is in: the user's associations first, then the file name, then — only when the content
// is unmistakable — the content. Content detection must never claim an unrelated YAML file (docker-compose,
// a CI workflow, a Helm chart), so it wants several keys and every one of them known.
import * as jsonc from 'jsonc-parser';
import type { ConfigFormat } from '../deployment';
import * as YAML from 'yaml';
import { globMatch } from './glob';
import { offerParsedDocument, parseDocument } from './document';
import { looksLikeLlamaSwap } from './llamaSwap';
import { findVllmOption } from './vllmOptions';

export const CONFIG_FORMATS: readonly ConfigFormat[] = ['kvlens-profile', 'vllm', 'llama-swap'];

const PROFILE_KEYS = new Set(['$schema', 'version', 'name', 'description', 'model', 'engine', 'workload', 'targets', 'speculative']);
// llama-swap's top-level keys (github.com/mostlygeek/llama-swap config.example.yaml).
const LLAMA_SWAP_KEYS = new Set([
  'models', 'groups', 'macros', 'healthCheckTimeout', 'logLevel', 'logTimeFormat', 'logToStdout', 'metricsMaxInMemory',
  'startPort', 'hooks', 'includeAliasesInList', 'sendLoadingState', 'apiKeys', 'peers', 'captureBuffer', 'wakeUpTimeout',
]);

/** Only this much of a file is looked at to guess its format. */
const SNIFF_BYTES = 64 * 1024;

export function detectByName(fileName: string): ConfigFormat | undefined {
  const base = (fileName.replace(/\\/g, '/').split('/').pop() ?? fileName).toLowerCase();
  if (/\.kvlens\.(ya?ml|json)$/.test(base)) return 'kvlens-profile';
  if (/llama[-_]swap.*\.ya?ml$/.test(base)) return 'llama-swap';
  if (/vllm.*\.(ya?ml|json)$/.test(base)) return 'vllm';
  return undefined;
}

export function detectByAssociation(fileName: string, associations?: Record<string, ConfigFormat | string>): ConfigFormat | undefined {
  if (!associations) return undefined;
  for (const [glob, format] of Object.entries(associations)) {
    if (!CONFIG_FORMATS.includes(format as ConfigFormat)) continue;
    if (globMatch(glob, fileName)) return format as ConfigFormat;
  }
  return undefined;
}

/** Top-level keys of a YAML mapping, read line by line (no full parse: this runs on every opened YAML file). */
export function topLevelYamlKeys(text: string): string[] {
  const keys: string[] = [];
  const head = text.length > SNIFF_BYTES ? text.slice(0, SNIFF_BYTES) : text;
  const re = /^(?:"([^"\n]+)"|'([^'\n]+)'|([^\s#:'"\-[\]{}|>!&*%@`][^:#\n]*?))[ \t]*:(?:[ \t]|$)/gm;
  for (let m = re.exec(head); m; m = re.exec(head)) keys.push((m[1] ?? m[2] ?? m[3]).trim());
  return keys;
}

function topLevelKeys(text: string, fileName: string): string[] | undefined {
  const trimmed = text.trimStart();
  if (/\.json$/i.test(fileName) || trimmed.startsWith('{')) {
    if (text.length > 1024 * 1024) return undefined;
    try {
      const v: unknown = jsonc.parse(text, [], { allowTrailingComma: true });
      return v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : undefined;
    } catch {
      return undefined;
    }
  }
  return topLevelYamlKeys(text);
}

/**
 * llama-swap by content: only a YAML whose top-level keys are all llama-swap's and include `models` is parsed,
 * then helper A's looksLikeLlamaSwap decides (every model a mapping, at least one with a `cmd`).
 */
export function looksLikeLlamaSwapConfig(text: string, keys = topLevelYamlKeys(text)): boolean {
  if (!keys.includes('models') || !keys.every((k) => LLAMA_SWAP_KEYS.has(k))) return false;
  if (text.length > 1024 * 1024) return false;
  try {
    return looksLikeLlamaSwap(plainYamlValue(text));
  } catch {
    return false;
  }
}

/**
 * YAML.parse(text) for the sniff above. Our own parseDocument gives the same value when nothing separates the two
 * option sets (no merge keys `<<`, no aliases `*`, no errors, warnings or duplicate keys); then that parse is
 * kept for the analysis that follows instead of parsing the file a second time. Otherwise yaml decides as before.
 */
function plainYamlValue(text: string): unknown {
  if (!text.includes('<<') && !text.includes('*')) {
    const doc = parseDocument(text, 'yaml');
    if (doc.diagnostics.length === 0 && doc.value !== undefined) {
      offerParsedDocument(doc);
      return doc.value;
    }
  }
  return YAML.parse(text, { maxAliasCount: 100 });
}

export function looksLikeVllmConfig(keys: readonly string[]): boolean {
  if (keys.length < 2) return false;
  let known = 0;
  let distinctive = 0;
  for (const k of keys) {
    const opt = findVllmOption(k);
    if (!opt) continue;
    known++;
    if (opt.distinctive) distinctive++;
  }
  // Every key a vLLM option (one stray allowed in large files), and at least one that only vLLM uses.
  return distinctive >= 1 && known >= keys.length - (keys.length >= 8 ? 1 : 0);
}

export function looksLikeProfile(keys: readonly string[]): boolean {
  return keys.includes('engine') && keys.some((k) => k === 'model' || k === 'targets' || k === 'workload') && keys.every((k) => PROFILE_KEYS.has(k));
}

export function detectByContent(fileName: string, text: string): ConfigFormat | undefined {
  if (!/\.(ya?ml|json)$/i.test(fileName) && /\.[a-z0-9]+$/i.test(fileName.replace(/\\/g, '/').split('/').pop() ?? '')) return undefined;
  const keys = topLevelKeys(text, fileName);
  if (!keys || keys.length === 0) return undefined;
  if (looksLikeProfile(keys)) return 'kvlens-profile';
  if (!/\.json$/i.test(fileName) && looksLikeLlamaSwapConfig(text, keys)) return 'llama-swap';
  if (looksLikeVllmConfig(keys)) return 'vllm';
  return undefined;
}

export function detectFormat(fileName: string, text?: string, associations?: Record<string, ConfigFormat | string>): ConfigFormat | undefined {
  return detectByAssociation(fileName, associations) ?? detectByName(fileName) ?? (text !== undefined ? detectByContent(fileName, text) : undefined);
}

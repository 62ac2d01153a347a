// Which format a file is in: the user's associations first, then the file name, then — only when the content
// is unmistakable — the content. Content detection runs on every opened YAML/JSON/shell file, so it is a
// bounded sniff: the first SNIFF_BYTES only, top-level keys read line by line with one regex, a few more
// regexes for markers; no YAML parse. It must never claim an unrelated file (docker-compose without an LLM
// server, CI workflows, Kubernetes manifests of other apps, LMCache configs), so each format wants several
// distinctive signs, and a file that looks like another tool's (compose `services:`, Kubernetes `kind:`,
// a workflow's `jobs:`) is never taken for vLLM or llama-swap.
import * as jsonc from 'jsonc-parser';
import type { ConfigFormat } from '../deployment';
import { globMatch } from './glob';
import { llamaSwapTopLevelKeys } from './swap';
import { looksLikeComposeWithServer } from './compose/detect';
import { looksLikeKubernetesWithServer } from './kubernetes/detect';
import { looksLikeServeScript } from './shell/detect';
import { findVllmOption } from './vllmOptions';

export const CONFIG_FORMATS: readonly ConfigFormat[] = ['kvlens-profile', 'vllm', 'llama-swap', 'shell', 'docker-compose', 'kubernetes'];

const PROFILE_KEYS = new Set(['$schema', 'version', 'name', 'description', 'model', 'engine', 'workload', 'targets', 'speculative']);
/** Top-level keys of other tools' YAML: a file with one of these is not a vLLM or llama-swap config. */
const FOREIGN_KEYS = new Set(['services', 'apiVersion', 'kind', 'jobs', 'steps', 'stages', 'pipeline', 'volumes', 'networks', 'spec', 'metadata']);

/** Only this much of a file is looked at to guess its format. */
export const SNIFF_BYTES = 64 * 1024;

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

function head(text: string): string {
  return text.length > SNIFF_BYTES ? text.slice(0, SNIFF_BYTES) : text;
}

/** Top-level keys of a YAML mapping, read line by line (no full parse: this runs on every opened YAML file). */
export function topLevelYamlKeys(text: string): string[] {
  const keys: string[] = [];
  const h = head(text);
  const re = /^(?:"([^"\n]+)"|'([^'\n]+)'|([^\s#:'"\-[\]{}|>!&*%@`][^:#\n]*?))[ \t]*:(?:[ \t]|$)/gm;
  for (let m = re.exec(h); m; m = re.exec(h)) keys.push((m[1] ?? m[2] ?? m[3]).trim());
  return keys;
}

/** Top-level keys of a JSON object: a full parse, but only for small files (JSON has no cheaper honest sniff). */
function topLevelJsonKeys(text: string): string[] | undefined {
  if (text.length > SNIFF_BYTES) return undefined;
  try {
    const v: unknown = jsonc.parse(text, [], { allowTrailingComma: true });
    return v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : undefined;
  } catch {
    return undefined;
  }
}

function isJson(fileName: string, text: string): boolean {
  return /\.jsonc?$/i.test(fileName) || /^\s*\{/.test(text.slice(0, 256));
}

/**
 * llama-swap by content: a top-level `models:`, mostly llama-swap's own top-level keys (llama-swap ignores the
 * others, and people do write `host:`/`port:` there), no other tool's keys, and an indented `cmd:` or `proxy:`
 * in the sniffed head (models that llama-swap starts or forwards to).
 */
export function looksLikeLlamaSwapConfig(text: string, keys = topLevelYamlKeys(text)): boolean {
  if (!keys.includes('models')) return false;
  const known = llamaSwapTopLevelKeys();
  let unknown = 0;
  for (const k of keys) {
    if (FOREIGN_KEYS.has(k)) return false;
    if (!known.has(k)) unknown++;
  }
  if (unknown > 3) return false;
  return /^[ \t]+(?:cmd|proxy)[ \t]*:/m.test(head(text));
}

export function looksLikeVllmConfig(keys: readonly string[]): boolean {
  if (keys.length < 2) return false;
  let known = 0;
  let distinctive = 0;
  for (const k of keys) {
    if (FOREIGN_KEYS.has(k)) return false;
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

const YAML_OR_JSON = /\.(ya?ml|json|jsonc)$/i;

export function detectByContent(fileName: string, text: string): ConfigFormat | undefined {
  const base = fileName.replace(/\\/g, '/').split('/').pop() ?? '';
  if (/\.(sh|bash)$/i.test(base) || (!/\.[a-z0-9]+$/i.test(base) && text.startsWith('#!'))) {
    return looksLikeServeScript(head(text)) ? 'shell' : undefined;
  }
  if (!YAML_OR_JSON.test(base) && /\.[a-z0-9]+$/i.test(base)) return undefined;
  const json = isJson(fileName, text);
  const keys = json ? topLevelJsonKeys(text) : topLevelYamlKeys(text);
  if (!keys || keys.length === 0) return undefined;
  if (looksLikeProfile(keys)) return 'kvlens-profile';
  if (!json) {
    if (keys.includes('services') && looksLikeComposeWithServer(head(text))) return 'docker-compose';
    if (keys.includes('kind') && keys.includes('apiVersion') && looksLikeKubernetesWithServer(head(text))) return 'kubernetes';
    if (looksLikeLlamaSwapConfig(text, keys)) return 'llama-swap';
  }
  if (looksLikeVllmConfig(keys)) return 'vllm';
  return undefined;
}

export function detectFormat(fileName: string, text?: string, associations?: Record<string, ConfigFormat | string>): ConfigFormat | undefined {
  const associated = detectByAssociation(fileName, associations);
  if (associated) return associated;
  const byName = detectByName(fileName);
  if (text === undefined) return byName;
  // A Kubernetes manifest or compose file named for what it runs (`vllm-deployment.yaml`, `llama-swap-compose.yml`)
  // is that, not a vLLM or llama-swap config: the name alone gave it false errors ("multiple documents", every key
  // unknown). Neither engine accepts their top-level keys, so the content decides. A user's association still wins.
  if (byName === 'vllm' || byName === 'llama-swap') {
    const sniffed = detectByContent(fileName, text);
    return sniffed === 'kubernetes' || sniffed === 'docker-compose' ? sniffed : byName;
  }
  return byName ?? detectByContent(fileName, text);
}

// Model references people write, parsed into one shape: Hugging Face repo ids in every spelling the tools use,
// Ollama names, and everything else (paths, catalog ids) left to the resolver.
//   org/name, org/name@revision, hf://org/name[@rev], https://huggingface.co/org/name[/tree/rev]
//   llama.cpp -hf: org/repo[:quant] (common/download.cpp common_download_split_repo_tag: the text after the last ':'
//   is the quant tag, the rest must be exactly one '/'), --hf-repo + --hf-file (file overrides the quant)
//   Ollama: name[:tag], user/name:tag, ollama://name:tag, hf.co/org/repo[:quant] (Ollama's Hub pull syntax)
// Repo ids follow the Hub's rules (huggingface_hub validate_repo_id; llama.cpp common/hf-cache.cpp is_valid_repo_id):
// [A-Za-z0-9_.-], one '/', no '--' or '..', at most 96 characters per part.

export interface HubRef {
  kind: 'hub';
  repo: string;
  revision?: string;
  /** llama.cpp quant tag (`:Q4_K_M`), upper-cased as llama.cpp matches it case-insensitively. */
  quant?: string;
  /** A file inside the repo (`--hf-file`, or a path after the id). */
  file?: string;
  /** How it was written, for messages. */
  spelling: 'id' | 'hf-url' | 'hf-scheme' | 'llama-hf' | 'hf.co';
}

export interface OllamaRef {
  kind: 'ollama';
  /** registry host/namespace/name as the manifest path has it (registry.ollama.ai/library/qwen3). */
  host: string;
  namespace: string;
  name: string;
  tag: string;
}

export type ParsedRef = HubRef | OllamaRef | { kind: 'other' };

const PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,95}$/;

export function isValidRepoId(repo: string): boolean {
  const parts = repo.split('/');
  if (parts.length !== 2) return false;
  return parts.every((p) => PART.test(p) && !p.includes('--') && !p.includes('..') && !p.endsWith('.') && !p.endsWith('-'));
}

const REV = /^[A-Za-z0-9_.\-/]{1,200}$/;
const QUANT = /^[A-Za-z0-9_]{1,40}$/;

/** Ollama's reference grammar (ollama/types/model/name.go): [host/][namespace/]model[:tag]. */
function parseOllama(text: string): OllamaRef | undefined {
  const m = /^(?:([a-z0-9.-]+\.[a-z]{2,}(?::\d+)?)\/)?(?:([a-z0-9][a-z0-9._-]{0,79})\/)?([a-z0-9][a-z0-9._-]{0,79})(?::([A-Za-z0-9][A-Za-z0-9._-]{0,79}))?$/.exec(text);
  if (!m) return undefined;
  return { kind: 'ollama', host: m[1] ?? 'registry.ollama.ai', namespace: m[2] ?? 'library', name: m[3]!, tag: m[4] ?? 'latest' };
}

/**
 * Parses `text`. Ambiguous spellings are resolved the way the tools that write them do: `org/repo:Q4_K_M` is a
 * llama.cpp `-hf` reference; `name:tag` (no slash) and `ollama://…` are Ollama names; a bare `org/name` is a Hub id.
 */
export function parseModelRef(text: string): ParsedRef {
  let t = text.trim();
  if (!t || t.length > 500 || /\s/.test(t)) return { kind: 'other' };
  if (/^ollama:\/\//i.test(t)) return parseOllama(t.slice(9)) ?? { kind: 'other' };
  let spelling: HubRef['spelling'] = 'id';
  let revision: string | undefined;
  let file: string | undefined;
  const url = /^https?:\/\/(?:www\.)?(?:huggingface\.co|hf\.co)\/(.+)$/i.exec(t);
  if (url) {
    spelling = 'hf-url';
    const rest = url[1]!.replace(/\/+$/, '').split('/');
    if (rest[0] === 'models') rest.shift();
    if (rest.length < 2) return { kind: 'other' };
    const repo = `${rest[0]}/${rest[1]}`;
    if (!isValidRepoId(repo)) return { kind: 'other' };
    if ((rest[2] === 'tree' || rest[2] === 'blob' || rest[2] === 'resolve') && rest[3]) {
      revision = decodeURIComponent(rest[3]);
      if (rest.length > 4) file = rest.slice(4).join('/');
    }
    return { kind: 'hub', repo, revision, file, spelling };
  }
  if (/^hf:\/\//i.test(t)) {
    spelling = 'hf-scheme';
    t = t.slice(5);
  } else if (/^hf\.co\//i.test(t)) {
    // Ollama's `ollama run hf.co/org/repo:Q4_K_M` is a Hub GGUF repo with a quant tag.
    spelling = 'hf.co';
    t = t.slice(6);
  } else if (!t.includes('/')) {
    return /:/.test(t) ? parseOllama(t) ?? { kind: 'other' } : { kind: 'other' };
  }
  let quant: string | undefined;
  const at = t.indexOf('@');
  if (at >= 0) {
    revision = t.slice(at + 1);
    t = t.slice(0, at);
    if (!REV.test(revision) || revision.includes('..')) return { kind: 'other' };
  }
  const colon = t.lastIndexOf(':');
  if (colon >= 0) {
    quant = t.slice(colon + 1);
    t = t.slice(0, colon);
    if (!QUANT.test(quant)) return { kind: 'other' };
    quant = quant.toUpperCase();
    if (spelling === 'id') spelling = 'llama-hf';
  }
  const parts = t.split('/');
  if (parts.length > 2) {
    // org/name/file.gguf (a file path inside the repo), only for an explicit hf:// reference.
    if (spelling !== 'hf-scheme') return { kind: 'other' };
    file = parts.slice(2).join('/');
  }
  const repo = parts.slice(0, 2).join('/');
  if (!isValidRepoId(repo)) return { kind: 'other' };
  return { kind: 'hub', repo, revision, quant, file, spelling };
}

/** The canonical text for llama.cpp's `-hf repo[:quant]` / `--hf-file`: what the resolver reads as a Hub GGUF ref. */
export function llamaHfModelRef(hfRepo: string, hfFile?: string): string {
  const repo = hfRepo.trim();
  if (hfFile && hfFile.trim()) return `hf://${repo.replace(/:[^/]*$/, '')}/${hfFile.trim().replace(/^\/+/, '')}`;
  return repo.startsWith('hf://') ? repo : `hf://${repo}`;
}

/** The name llama.cpp, huggingface_hub and KV Lens use for a repo's cache folder (models--org--name). */
export function repoFolderName(repo: string): string {
  return `models--${repo.replace(/\//g, '--')}`;
}

// What a model reference is: a path (check that it exists), a Hugging Face id `org/name` (a catalog or Hub
// id, never reported missing), or a bare name (reported only when it is neither a local file nor known).
import * as os from 'node:os';
import * as path from 'node:path';

export type RefShape = 'path' | 'hf-id' | 'name';

const PATH_START = /^(?:\.{1,2}(?:[\\/]|$)|[\\/]|~(?:[\\/]|$)|[A-Za-z]:[\\/]|file:)/;
const FILE_END = /\.(?:gguf|json|safetensors|bin|pt)$/i;
// `org/name`, or llama.cpp's `-hf org/repo:QUANT` (the tag after the last ':', as common/download.cpp splits it).
const HF_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+(?::[A-Za-z0-9_]{1,40})?$/;

export function refShape(ref: string): RefShape {
  const r = ref.trim();
  // llama.cpp's -hf repo with --hf-file arrives as an hf://repo/file reference (models/hub/ids.ts): a Hub id, not a path.
  if (/^hf:\/\//i.test(r)) return 'hf-id';
  if (PATH_START.test(r) || FILE_END.test(r) || r.includes('\\')) return 'path';
  if (HF_ID.test(r)) return 'hf-id';
  return r.includes('/') ? 'path' : 'name';
}

/** Absolute path of a reference: `~` expanded, relative paths against the file's folder. */
export function resolveRefPath(ref: string, baseDir: string): string {
  let r = ref.trim().replace(/^file:(\/\/)?/, '');
  if (r === '~' || r.startsWith('~/') || r.startsWith('~\\')) r = path.join(os.homedir(), r.slice(1));
  return path.resolve(baseDir || '.', r);
}

/** A reference that the shell, compose or llama-swap fills in where the config runs (`${env.HOME}/m.gguf`, `$MODEL`). */
export function dependsOnVariable(ref: string): boolean {
  return /\$\{?[A-Za-z_]/.test(ref);
}

/**
 * A server path mapped to this machine with the `kvlens.pathMappings` setting (`{"/models": "~/models"}`, like
 * remote-development path maps): the longest matching server prefix wins. Undefined when nothing maps it.
 */
export function mapServerPath(ref: string, mappings: Record<string, string> | undefined): string | undefined {
  if (!mappings) return undefined;
  const r = ref.trim().replace(/\\/g, '/');
  let best: [string, string] | undefined;
  for (const [from, to] of Object.entries(mappings)) {
    const f = from.replace(/\\/g, '/').replace(/\/+$/, '');
    if (!f || typeof to !== 'string') continue;
    if ((r === f || r.startsWith(f + '/')) && (!best || f.length > best[0].length)) best = [f, to];
  }
  if (!best) return undefined;
  const rest = r.slice(best[0].length).replace(/^\/+/, '');
  let local = best[1];
  if (local === '~' || local.startsWith('~/')) local = path.join(os.homedir(), local.slice(1));
  return rest ? path.join(local, rest) : local;
}

/**
 * The model a file name says it is (`/models/Qwen2.5-Coder-0.5B-Instruct-Q4_K_M.gguf` → `Qwen2.5-Coder-0.5B-Instruct`):
 * the extension, shard suffix and quantization tag removed. For sizing by name when the file is not here.
 */
export function modelNameHint(ref: string): string | undefined {
  const base = ref.trim().replace(/\\/g, '/').replace(/\/+$/, '').split('/').pop() ?? '';
  let name = base.replace(/\.(gguf|safetensors|bin|pt)$/i, '').replace(/-\d{5}-of-\d{5}$/i, '');
  name = name.replace(/[-_.](?:UD-)?(?:I?Q\d(?:_[A-Z0-9]+)*|[BF]?F16|BF16|FP8|F32|MXFP4|NVFP4|AWQ|GPTQ)(?:[-_.].*)?$/i, '');
  return name.length >= 3 && /[A-Za-z]/.test(name) ? name : undefined;
}

// What a model reference is: a path (check that it exists), a Hugging Face id `org/name` (a catalog or Hub
// id, never reported missing), or a bare name (reported only when it is neither a local file nor known).
import * as os from 'node:os';
import * as path from 'node:path';

export type RefShape = 'path' | 'hf-id' | 'name';

const PATH_START = /^(?:\.{1,2}(?:[\\/]|$)|[\\/]|~(?:[\\/]|$)|[A-Za-z]:[\\/]|file:)/;
const FILE_END = /\.(?:gguf|json|safetensors|bin|pt)$/i;
const HF_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export function refShape(ref: string): RefShape {
  const r = ref.trim();
  // llama.cpp's -hf repo[:quant] / --hf-file arrive as hf://… references (models/hub/ids.ts): Hub ids, not paths.
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

// LM Studio's models folder as a model source: models live as {root}/{publisher}/{model}/{file}.gguf, the same
// publisher/model key as their Hub repo (lmstudio-community/Qwen3-8B-GGUF). Roots: ~/.lmstudio/models (LM Studio
// 0.3+), ~/.cache/lm-studio/models (earlier releases), or a machine-scoped kvlens.models.lmStudioFolder.
import * as os from 'node:os';
import * as path from 'node:path';
import { listDir, statOrUndefined } from '../fileAccess';
import { pickGgufFile } from '../hub/ggufPick';

export function lmStudioRoots(extra?: string, home = os.homedir()): string[] {
  const roots = [path.join(home, '.lmstudio', 'models'), path.join(home, '.cache', 'lm-studio', 'models')];
  if (extra) roots.unshift(path.resolve(extra));
  return roots;
}

export interface LmStudioHit {
  folder: string;
  gguf: string;
  reason: string;
}

/** The GGUF LM Studio would load for publisher/model[:quant] (llama.cpp's quant choice), when the folder exists. */
export function lmStudioLookup(repo: string, quant: string | undefined, roots: string[]): LmStudioHit | undefined {
  for (const root of roots) {
    const folder = path.join(root, ...repo.split('/'));
    if (!statOrUndefined(folder)?.isDirectory()) continue;
    const files = listDir(folder).filter((n) => /\.gguf$/i.test(n)).sort();
    const pick = pickGgufFile(files, quant);
    if (pick.file) return { folder, gguf: path.join(folder, pick.file), reason: pick.reason };
  }
  return undefined;
}

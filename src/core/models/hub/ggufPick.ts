// Which GGUF file llama.cpp's `-hf repo[:quant]` loads, mirrored from the bundled llama.cpp (de3ff815)
// common/download.cpp: find_best_model (the tag, else Q4_K_M then Q8_0, matched case-insensitively as `<tag>[.-]`
// anywhere in the path; the first split shard only; with no tag, the first model file), gguf_filename_is_model
// (not mmproj/imatrix/mtp-/eagle3-/dflash-/dspark-) and get_gguf_split_info/get_split_files (`-00001-of-00003`).

const NOT_MODEL = ['mmproj', 'imatrix', 'mtp-', 'eagle3-', 'dflash-', 'dspark-'];

export function isGgufModelFile(p: string): boolean {
  if (!p.toLowerCase().endsWith('.gguf')) return false;
  const base = p.slice(p.lastIndexOf('/') + 1);
  return NOT_MODEL.every((k) => !base.includes(k));
}

export interface SplitInfo {
  prefix: string;
  tag: string;
  index: number;
  count: number;
}

export function splitInfo(p: string): SplitInfo | undefined {
  if (!/\.gguf$/i.test(p)) return undefined;
  let prefix = p.slice(0, -5);
  let index = 1;
  let count = 1;
  const m = /^(.+)-([0-9]{5})-of-([0-9]{5})$/i.exec(prefix);
  if (m) {
    prefix = m[1]!;
    index = Number(m[2]);
    count = Number(m[3]);
  }
  const t = /[-.]([A-Z0-9_]+)$/i.exec(prefix);
  return { prefix, tag: t ? t[1]!.toUpperCase() : '', index, count };
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface GgufPick {
  file?: string;
  /** The file and its split siblings, in order. */
  shards: string[];
  reason: string;
}

export function pickGgufFile(files: string[], tag?: string): GgufPick {
  const tags = tag ? [tag] : ['Q4_K_M', 'Q8_0'];
  const firstShard = (f: string): boolean => {
    const s = splitInfo(f);
    return !(s && s.count > 1 && s.index !== 1);
  };
  const shardsOf = (f: string): string[] => {
    const s = splitInfo(f)!;
    if (s.count <= 1) return [f];
    return files.filter((g) => {
      const x = splitInfo(g);
      return x !== undefined && x.count === s.count && x.prefix === s.prefix;
    }).sort((a, b) => splitInfo(a)!.index - splitInfo(b)!.index);
  };
  for (const t of tags) {
    const re = new RegExp(`${escapeRe(t)}[.-]`, 'i');
    const f = files.find((x) => isGgufModelFile(x) && re.test(x) && firstShard(x));
    if (f) return { file: f, shards: shardsOf(f), reason: tag ? `quant ${t} as requested (-hf …:${tag})` : `llama.cpp's default quant ${t}` };
  }
  if (!tag) {
    const f = files.find((x) => isGgufModelFile(x) && firstShard(x));
    if (f) return { file: f, shards: shardsOf(f), reason: 'no Q4_K_M or Q8_0 file: the first GGUF in the repo, as llama.cpp falls back' };
  }
  const available = files.filter(isGgufModelFile);
  return { shards: [], reason: tag ? `no GGUF file in the repo matches the quant ${tag}${available.length ? ` (available: ${available.slice(0, 8).join(', ')}${available.length > 8 ? ', …' : ''})` : ''}` : 'the repo has no GGUF model file' };
}

// The settings that choose the engine tables and path mappings (kvlens.vllm.version, kvlens.llamaCpp.build,
// kvlens.pathMappings) read into analyzeText's options. The editor passes a getter over its configuration;
// values of the wrong shape (a hand-edited settings.json) are dropped rather than passed on.
import type { AnalyzeOptions } from './analyze';

export type FormatSettingOptions = Pick<AnalyzeOptions, 'vllmVersion' | 'llamaCppBuild' | 'pathMappings'>;

export function formatOptionsFromSettings(get: (key: string) => unknown): FormatSettingOptions {
  const out: FormatSettingOptions = {};
  const vllm = get('vllm.version');
  if (typeof vllm === 'string' && vllm.trim()) out.vllmVersion = vllm.trim();
  const build = get('llamaCpp.build');
  if (typeof build === 'string' && build.trim()) out.llamaCppBuild = build.trim();
  const maps = get('pathMappings');
  if (maps && typeof maps === 'object' && !Array.isArray(maps)) {
    const m: Record<string, string> = {};
    for (const [from, to] of Object.entries(maps as Record<string, unknown>)) if (from && typeof to === 'string' && to) m[from] = to;
    if (Object.keys(m).length) out.pathMappings = m;
  }
  return out;
}

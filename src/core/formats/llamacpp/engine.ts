// llama.cpp's defaults for the settings a command line leaves out, so every llama.cpp deployment carries a
// complete EngineSettings (f16 K/V and `-fa auto` are llama-server's defaults in the bundled llama.cpp).
import type { EngineSettings } from '../../deployment';

export function llamaEngineSettings(partial: Partial<EngineSettings> = {}): EngineSettings {
  return {
    cacheTypeK: 'f16',
    cacheTypeV: 'f16',
    flashAttention: 'auto',
    tensorParallel: 1,
    pipelineParallel: 1,
    dataParallel: 1,
    ...partial,
    kind: 'llama.cpp',
  };
}

// Ollama's local store as a model source: $OLLAMA_MODELS (default ~/.ollama/models)/manifests/{host}/{namespace}/
// {model}/{tag} is a JSON manifest whose layers name blobs by digest; the layer with mediaType
// application/vnd.ollama.image.model is the GGUF, stored as blobs/sha256-{hex} (ollama server/internal/manifest
// docs; server/modelpath.go). Newer Ollama writes manifests under manifest-v2/ and names the registry ollama.com;
// both layouts and both registry names are looked up. Names follow Ollama's grammar: model[:tag], ns/model:tag,
// host/ns/model:tag, default tag `latest`, default namespace `library`.
import * as os from 'node:os';
import * as path from 'node:path';
import { readTextIfExists, statOrUndefined } from '../fileAccess';
import type { OllamaRef } from '../hub/ids';

export interface OllamaHit {
  /** The GGUF blob. */
  gguf: string;
  manifest: string;
  name: string;
}

export function ollamaModelsDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  return env.OLLAMA_MODELS ? path.resolve(env.OLLAMA_MODELS) : path.join(home, '.ollama', 'models');
}

const MODEL_MEDIA = 'application/vnd.ollama.image.model';

/** Finds `ref` in the store; undefined when there is no such manifest. Throws on a manifest it cannot read. */
export function ollamaLookup(ref: OllamaRef, modelsDir: string): OllamaHit | undefined {
  const hosts = ref.host === 'registry.ollama.ai' ? ['registry.ollama.ai', 'ollama.com'] : [ref.host];
  const name = `${ref.namespace === 'library' ? '' : `${ref.namespace}/`}${ref.name}:${ref.tag}`;
  for (const layout of ['manifests', 'manifest-v2']) {
    for (const host of hosts) {
      const manifest = path.join(modelsDir, layout, host, ref.namespace, ref.name, ref.tag);
      const text = readTextIfExists(manifest, 1024 * 1024);
      if (text === undefined) continue;
      let json: { layers?: { mediaType?: unknown; digest?: unknown }[] };
      try {
        json = JSON.parse(text) as typeof json;
      } catch {
        throw new Error(`Ollama manifest ${manifest} is not valid JSON`);
      }
      const layer = (json.layers ?? []).find((l) => l && l.mediaType === MODEL_MEDIA);
      if (!layer || typeof layer.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(layer.digest)) {
        throw new Error(`Ollama manifest ${manifest} has no GGUF model layer (${MODEL_MEDIA}); safetensors-based Ollama models are not read`);
      }
      const gguf = path.join(modelsDir, 'blobs', layer.digest.replace(':', '-'));
      if (!statOrUndefined(gguf)?.isFile()) throw new Error(`Ollama model ${name}: the blob ${gguf} named by ${manifest} is missing`);
      return { gguf, manifest, name };
    }
  }
  return undefined;
}

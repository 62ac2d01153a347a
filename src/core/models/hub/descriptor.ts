// HubFacts → ModelDescriptor: config.json through the same reader as a local config (hfConfig.ts), with the exact
// parameter count and weight bytes from the safetensors headers; a GGUF header through the GGUF reader.
import type { ModelDescriptor } from '../descriptor';
import { descriptorFromGguf } from '../ggufDescriptor';
import { descriptorFromHfConfig } from '../hfConfig';
import type { GgufModelInfo } from '../gguf';
import type { HubFacts } from './facts';

const DTYPE_NAME: Record<string, string> = { BF16: 'bf16', F16: 'f16', F32: 'f32', F8_E4M3: 'fp8', F8_E5M2: 'fp8', I32: 'int32 (packed)', U8: 'uint8 (packed)', I8: 'int8' };

export function descriptorFromHubFacts(f: HubFacts, where: string, name = f.repo): ModelDescriptor {
  const url = `${f.endpoint}/${f.repo}/tree/${f.commit}`;
  if (f.gguf) {
    const g = f.gguf;
    const info: GgufModelInfo = {
      path: `${where}/${g.files[0]}`, version: g.version, alignment: 32, metadata: g.metadata, tensors: g.tensors as GgufModelInfo['tensors'],
      totalTensorBytes: g.totalTensorBytes, totalElements: g.totalElements, dataOffset: g.dataOffset, fileSize: g.fileSize,
    };
    const d = descriptorFromGguf(info, `${where}/${g.files[0]}`);
    d.source = { kind: 'gguf', id: f.repo, url, path: `${where}/${g.files[0]}` };
    if (g.files.length > 1) d.notes.push(`split GGUF: ${g.files.length} shards, weights summed over all`);
    if (g.alternatives.length) d.notes.push(`other GGUF files in the repo: ${g.alternatives.slice(0, 6).join(', ')}${g.alternatives.length > 6 ? ', …' : ''}`);
    d.notes.push(...f.notes);
    d.provenance = [{ what: `GGUF header${g.files.length > 1 ? 's' : ''} (${g.files.join(', ')})`, where, bytes: f.bytesRead }];
    return d;
  }
  const d = descriptorFromHfConfig(f.config, name, { kind: 'hf-config', id: f.repo, url });
  const st = f.safetensors;
  if (st && st.params > 0) {
    const moe = d.moe;
    d.params = st.params;
    d.activeParams = moe && moe.experts > 0 && st.expertParams > 0 ? Math.round(st.params - st.expertParams * (1 - moe.expertsUsed / moe.experts)) : st.params;
    d.weightsBytes = st.dataBytes;
    const dominant = Object.entries(st.bytesByDtype).sort((a, b) => b[1] - a[1])[0]?.[0];
    const cfg = f.config as { quantization_config?: { quant_method?: string } } | undefined;
    d.weightsType = cfg?.quantization_config?.quant_method ? String(cfg.quantization_config.quant_method) : DTYPE_NAME[dominant ?? ''] ?? (dominant ?? d.weightsType).toLowerCase();
    d.missing = d.missing.filter((m) => !/^parameters of|weight bytes for quantization/.test(m));
    d.notes = d.notes.filter((n) => !/weights assumed|not modelled: weights taken/.test(n));
    d.notes.push(`parameters and weight bytes exact from ${st.files.length} safetensors header${st.files.length === 1 ? '' : 's'} (${st.tensorCount} tensors)`, ...st.notes);
  }
  d.notes.push(...f.notes);
  d.provenance = [{ what: `config.json${st ? ` + ${st.files.length} safetensors header(s)` : ''}`, where, bytes: f.bytesRead }];
  return d;
}

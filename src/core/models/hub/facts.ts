// What KV Lens keeps of a Hub model: the few files and header summaries that size it, keyed by the repo's commit
// (immutable) so a cached answer never goes stale, plus how many bytes and requests it cost.
import type { GgufMetaValue, GgufTensorInfo } from '../gguf';
import type { SafetensorsTensor } from './safetensors';

export interface SafetensorsSummary {
  files: string[];
  tensorCount: number;
  /** Exact bytes of tensor data (the download size of the weights). */
  dataBytes: number;
  /** Parameters, with packed quantized tensors expanded and scales/zero-points left out. */
  params: number;
  /** Parameters in routed-expert tensors (for active-parameter counts). */
  expertParams: number;
  bytesByDtype: Record<string, number>;
  notes: string[];
}

export interface GgufSummary {
  /** The file(s) read: the first shard names the split set. */
  files: string[];
  metadata: Record<string, GgufMetaValue>;
  tensors: Pick<GgufTensorInfo, 'name' | 'type' | 'dims' | 'elements' | 'bytes' | 'typeId' | 'offset'>[];
  totalTensorBytes: number;
  totalElements: number;
  version: number;
  dataOffset: number;
  fileSize: number;
  /** Other GGUF files in the repo (quants a user could pick). */
  alternatives: string[];
}

export interface HubFacts {
  v: 1;
  endpoint: string;
  repo: string;
  revision: string;
  commit: string;
  files: { name: string; size?: number }[];
  gated?: boolean;
  config?: unknown;
  safetensors?: SafetensorsSummary;
  gguf?: GgufSummary;
  /** What the first resolve cost (headers only). */
  bytesRead: number;
  requests: number;
  fetchedAt: string;
  notes: string[];
}

const SKIP_PARAM = /(\.|_)(qzeros|scales|g_idx|weight_scale|weight_scale_inv|weight_scale_2|input_scale|input_scale_2|weight_zero_point|weight_g_idx|weight_shape|SCB|absmax|quant_map|nested_absmax|nested_quant_map|quant_state\.[\w.]+|k_scale|v_scale|q_scale)$|\.quant_state/;
const EXPERT = /\.experts\.|block_sparse_moe\.experts|\.experts_|_exps\./;

/** Parameters and bytes from safetensors headers, with the quantization config's packing undone. */
export function summarizeSafetensors(files: string[], tensors: SafetensorsTensor[], quant: Record<string, unknown> | undefined): SafetensorsSummary {
  const notes: string[] = [];
  const method = String(quant?.quant_method ?? '').toLowerCase();
  let bits = Number(quant?.bits ?? quant?.w_bit ?? 4);
  const groups = quant?.config_groups as Record<string, { weights?: { num_bits?: number } }> | undefined;
  if (method === 'compressed-tensors' && groups) {
    const nb = Object.values(groups).map((g) => g.weights?.num_bits).find((b) => typeof b === 'number');
    if (nb) bits = nb;
  }
  if (!(bits > 0 && bits <= 32)) bits = 4;
  let params = 0;
  let expertParams = 0;
  let dataBytes = 0;
  const bytesByDtype: Record<string, number> = {};
  let packed = 0;
  for (const t of tensors) {
    dataBytes += t.bytes;
    bytesByDtype[t.dtype] = (bytesByDtype[t.dtype] ?? 0) + t.bytes;
    if (SKIP_PARAM.test(t.name)) continue;
    let n = t.elements;
    if ((t.dtype === 'I32' || t.dtype === 'U32') && /(qweight|weight_packed)$/.test(t.name)) {
      n = t.elements * (32 / bits);
      packed++;
    } else if (t.dtype === 'U8' && /_blocks$/.test(t.name)) {
      n = t.elements * 2; // MXFP4: two 4-bit values per byte (gpt-oss *_blocks)
      packed++;
    } else if (t.dtype === 'U8' && method === 'bitsandbytes' && /\.weight$/.test(t.name)) {
      n = t.elements * 2;
      packed++;
    }
    params += n;
    if (EXPERT.test(t.name)) expertParams += n;
  }
  if (packed) notes.push(`${packed} packed quantized tensors expanded to their parameter counts (${method || 'packed'}, ${bits}-bit)`);
  return { files, tensorCount: tensors.length, dataBytes, params: Math.round(params), expertParams: Math.round(expertParams), bytesByDtype, notes };
}

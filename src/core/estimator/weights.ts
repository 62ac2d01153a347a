// Weights actually served when they differ from the model source: a profile's `model: {id, weights: q4_k_m}` for a
// catalog/HF model, or vLLM's `quantization`. Bits per weight are the averages llama.cpp's quantization types reach
// on Llama-class models (llama.cpp tools/quantize README, "bits per weight"), including their block scales; the
// result is approximate (embedding/output tensors are often kept at higher precision). GGUF weights are exact and
// are never overridden.
import type { Deployment } from '../deployment';
import type { ModelDescriptor } from '../models/descriptor';

export const BITS_PER_WEIGHT: Record<string, number> = {
  f32: 32, f16: 16, bf16: 16, fp16: 16, float16: 16, bfloat16: 16, q8_0: 8.5, fp8: 8, int8: 8, 'fp8_e4m3': 8,
  q6_k: 6.56, q5_k_m: 5.69, q5_k_s: 5.54, q5_1: 6, q5_0: 5.5, q4_k_m: 4.85, q4_k_s: 4.58, q4_1: 5, q4_0: 4.5,
  iq4_nl: 4.5, iq4_xs: 4.25, q3_k_l: 4.27, q3_k_m: 3.91, q3_k_s: 3.5, iq3_m: 3.66, iq3_xxs: 3.06, q2_k: 3.35, iq2_xs: 2.31,
  awq: 4.25, gptq: 4.25, 'compressed-tensors': 4.25, bitsandbytes: 4.5, mxfp4: 4.25, nvfp4: 4.5,
};

/** The descriptor with weightsBytes/weightsType replaced by what the deployment says it serves, and why. */
export function applyServedWeights(model: ModelDescriptor, deployment: Deployment): { model: ModelDescriptor; note?: string } {
  if (model.source.kind === 'gguf' || !(model.params > 0)) return { model };
  const wanted = deployment.model?.weights ?? (deployment.engine.kind === 'vllm' ? deployment.engine.quantization : undefined);
  if (!wanted) return { model };
  const key = wanted.trim().toLowerCase();
  const bpw = BITS_PER_WEIGHT[key];
  if (!bpw) return { model, note: `weights type '${wanted}' is not known to the estimator; the model's ${model.weightsType} size is used` };
  const bytes = Math.round((model.params * bpw) / 8);
  return {
    model: { ...model, weightsBytes: bytes, weightsType: key },
    note: `weights served as ${key}: ${model.params.toExponential(3)} params × ${bpw} bits/weight ÷ 8 ≈ ${(bytes / 2 ** 30).toFixed(1)} GiB (approximate; the source describes ${model.weightsType})`,
  };
}

// A context longer than the model was trained for. llama.cpp warns ("n_ctx_seq > n_ctx_train") and quality
// falls off past it; vLLM refuses to start unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1 or RoPE scaling extends it.
// For llama.cpp the per-sequence context is what counts: -c / -np with separate slots, all of -c when the
// cache is unified (llama-server's default when -np is not given).
import type { Rule } from './rule';

export const contextLengthRule: Rule = {
  id: 'context-exceeds-trained',
  description: 'The context must not exceed the model\'s trained context.',
  run({ deployment, model }) {
    const e = deployment.engine;
    const range = deployment.settingRanges.contextSize;
    const trained = model?.trainedContext;
    if (!trained || !range || !e.contextSize || e.contextSize <= 0) return [];
    // RoPE scaling given to the engine stretches the context it accepts (vLLM derives max_model_len from it).
    if (e.ropeScaling && e.contextSize <= Math.floor(e.ropeScaling.factor * (e.ropeScaling.original ?? trained))) return [];
    const slots = e.kind === 'llama.cpp' && e.parallel && e.parallel > 1 && !e.unifiedKv ? e.parallel : 1;
    const perSeq = Math.floor(e.contextSize / slots);
    if (perSeq <= trained) return [];
    const seqText = slots > 1 ? `${perSeq} tokens per sequence (${e.contextSize} / ${slots} slots)` : `${e.contextSize} tokens`;
    const consequence = e.kind === 'vllm'
      ? 'vLLM refuses to start unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1 is set or rope-scaling extends the model'
      : 'llama.cpp allows it, but output quality degrades past the trained length unless RoPE scaling is set';
    // The obvious fix: the trained length per sequence (× slots for llama.cpp's total -c).
    const fixed = trained * slots;
    return [{
      severity: 'warning',
      code: 'context-exceeds-trained',
      message: `Context of ${seqText} exceeds ${model!.name}'s trained context of ${trained} tokens; ${consequence}.`,
      range,
      fixes: [{ title: slots > 1 ? `Set the context to ${fixed} (${trained} per slot, the trained length)` : `Set the context to ${trained}, the trained length`, preferred: true, edits: [{ range, newText: String(fixed) }] }],
    }];
  },
};

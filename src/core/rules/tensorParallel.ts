// Tensor parallelism splits attention heads across GPUs. vLLM requires the query heads to divide evenly by
// tensor-parallel-size, and the KV heads to divide evenly — or, with more GPUs than KV heads, tp to be a
// multiple of them (each KV head is then replicated, so KV per GPU stops shrinking).
import type { KvDiagnostic, QuickFix, Range } from '../diagnostics';
import type { ModelDescriptor } from '../models/descriptor';
import type { Rule } from './rule';

/** GPU counts vLLM accepts for this model: divide the attention heads, and divide (or be a multiple of) the KV heads. */
function accepted(model: ModelDescriptor, n: number): boolean {
  if (model.heads > 0 && model.heads % n !== 0) return false;
  const kv = Math.max(0, ...model.kvHeadsPerLayer.filter((h) => h > 0));
  if (model.mla || kv <= 0) return true;
  return n <= kv ? kv % n === 0 : n % kv === 0;
}

/**
 * The nearest sizes vLLM accepts: the next larger first (someone who wrote 3 wanted more than 2 GPUs, and more
 * GPUs keep the memory fitting), then the next smaller. Bounded: sizes up to 64.
 */
function tpFixes(model: ModelDescriptor, tp: number, range: Range): QuickFix[] | undefined {
  const up = Array.from({ length: 64 }, (_, i) => i + 1).find((n) => n > tp && accepted(model, n));
  const down = Array.from({ length: tp - 1 }, (_, i) => tp - 1 - i).find((n) => accepted(model, n));
  const fixes: QuickFix[] = [];
  if (up) fixes.push({ title: `Use tensor-parallel-size ${up}`, preferred: true, edits: [{ range, newText: String(up) }] });
  if (down && down > 0) fixes.push({ title: `Use tensor-parallel-size ${down}`, preferred: !up, edits: [{ range, newText: String(down) }] });
  return fixes.length ? fixes : undefined;
}

function divisors(n: number, max = 64): number[] {
  const out: number[] = [];
  for (let i = 1; i <= Math.min(n, max); i++) if (n % i === 0) out.push(i);
  return out;
}

export const tensorParallelRule: Rule = {
  id: 'tensor-parallel-heads',
  description: 'tensor-parallel-size must divide the attention heads (and fit the KV heads).',
  run({ deployment, model }) {
    const tp = deployment.engine.tensorParallel;
    const range = deployment.settingRanges.tensorParallel;
    // Zero, negative or fractional GPUs per layer cannot be run, whatever the option table allows (issue 9: TP 0
    // was estimated as if it were 1). The schema may say so already; analyze.ts then keeps only its message.
    if (range && typeof tp === 'number' && (!Number.isInteger(tp) || tp < 1)) {
      return [{ severity: 'error', code: 'invalid-value', message: `tensor-parallel-size must be a whole number of GPUs, at least 1 (got ${tp}).`, range }];
    }
    if (!model || !range || !tp || tp <= 1) return [];
    const out: KvDiagnostic[] = [];
    const heads = model.heads;
    if (heads > 0 && heads % tp !== 0) {
      const ok = divisors(heads).filter((d) => d <= 16).join(', ');
      out.push({
        severity: 'error',
        code: 'tensor-parallel-heads',
        message: `tensor-parallel-size ${tp} does not divide ${model.name}'s ${heads} attention heads; vLLM will not start. Sizes that divide them: ${ok}.`,
        range,
        fixes: tpFixes(model, tp, range),
      });
      return out;
    }
    if (model.mla) return out; // MLA caches one latent per layer, not per-head K/V
    const kv = Math.max(0, ...model.kvHeadsPerLayer.filter((h) => h > 0));
    if (kv <= 0) return out;
    if (tp <= kv && kv % tp !== 0) {
      out.push({
        severity: 'error',
        code: 'tensor-parallel-kv-heads',
        message: `tensor-parallel-size ${tp} does not divide ${model.name}'s ${kv} KV heads (GQA); vLLM will not start. Use a size that divides ${kv}.`,
        range,
        fixes: tpFixes(model, tp, range),
      });
    } else if (tp > kv && tp % kv !== 0) {
      out.push({
        severity: 'error',
        code: 'tensor-parallel-kv-heads',
        message: `tensor-parallel-size ${tp} is larger than ${model.name}'s ${kv} KV heads but not a multiple of them; vLLM cannot replicate KV heads evenly.`,
        range,
        fixes: tpFixes(model, tp, range),
      });
    } else if (tp > kv) {
      out.push({
        severity: 'information',
        code: 'kv-heads-replicated',
        message: `With tensor-parallel-size ${tp} and ${kv} KV heads, each GPU holds one KV head (each replicated on ${tp / kv} GPUs): KV memory per GPU is 1/${kv} of the total, not 1/${tp}.`,
        range,
      });
    }
    return out;
  },
};

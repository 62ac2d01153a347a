// The model (and the speculative draft) must exist when written as a path. Shapes (see modelRefs.ts):
// - path (./x, ../x, /x, ~/x, C:\x, or ending .gguf/.json/.safetensors): error when the file or folder is missing;
// - org/name: a Hub or catalog id — fine if a local folder of that name exists, else only an information note
//   when the resolver could not find it offline (vLLM would download it);
// - a bare name: a warning when it is neither a local file nor something the resolver knows.
// A file that exists but cannot be read (corrupt GGUF, bad config.json) is an error with the reader's reason.
import type { KvDiagnostic, Range } from '../diagnostics';
import { refShape, resolveRefPath } from './modelRefs';
import type { ModelResolution, Rule, RuleContext } from './rule';

function check(ctx: RuleContext, what: 'model' | 'draft model', ref: string, range: Range, res: ModelResolution | undefined): KvDiagnostic[] {
  const shape = refShape(ref);
  const abs = resolveRefPath(ref, ctx.baseDir);
  const exists = ctx.fileExists(abs);
  if (res?.kind === 'error') {
    return [{ severity: 'error', code: 'model-unreadable', message: `Cannot read the ${what} ${ref}: ${res.error ?? 'unknown error'}.`, range }];
  }
  if (shape === 'path') {
    if (exists) return [];
    return [{ severity: 'error', code: 'model-not-found', message: `The ${what} ${ref} does not exist (looked for ${abs}).`, range }];
  }
  if (exists || !res || res.kind !== 'missing') return [];
  if (shape === 'hf-id') {
    return [{
      severity: 'information',
      code: 'model-not-in-catalog',
      message: `${ref} is not in KV Lens's offline model catalog, so it cannot be sized; point the ${what} at a local GGUF, config.json or its folder.`,
      range,
    }];
  }
  return [{
    severity: 'warning',
    code: 'model-not-found',
    message: `The ${what} ${ref} is neither a file next to this file (${abs}) nor a catalog id such as meta-llama/Llama-3.1-8B-Instruct.`,
    range,
  }];
}

export const modelPathRule: Rule = {
  id: 'model-not-found',
  description: 'The model and draft model must exist when written as paths.',
  run(ctx) {
    const d = ctx.deployment;
    const out: KvDiagnostic[] = [];
    if (d.model) out.push(...check(ctx, 'model', d.model.ref, d.model.range, ctx.modelResolution));
    const s = d.speculative;
    if (s?.draftRef && s.draftRange) out.push(...check(ctx, 'draft model', s.draftRef, s.draftRange, ctx.draftResolution));
    return out;
  },
};

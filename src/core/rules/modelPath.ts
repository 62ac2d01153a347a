// The model (and the speculative draft) must exist when written as a path — on the machine the config runs on.
// Severity policy: a profile is meant to run here, so a missing path is an error; every other config (a vLLM
// config, llama-swap, a script, compose file or manifest) is written for the server it runs on, so a path that
// is not on this machine is information, with the way to size it anyway: the `kvlens.pathMappings` setting
// (server folder → local folder), or the model's name or Hub id (`-hf`) when the resolver knows it.
// Shapes (see modelRefs.ts):
// - path (./x, ../x, /x, ~/x, C:\x, or ending .gguf/.json/.safetensors): checked as above;
// - org/name: a Hub or catalog id — fine if a local folder of that name exists, else only an information note
//   when the resolver could not find it offline (vLLM would download it);
// - a bare name: a warning when it is neither a local file nor something the resolver knows.
// A file that exists but cannot be read (corrupt GGUF, bad config.json) is an error with the reader's reason.
import type { KvDiagnostic, Range } from '../diagnostics';
import { dependsOnVariable, refShape, resolveRefPath } from './modelRefs';
import type { ModelResolution, Rule, RuleContext } from './rule';

function check(ctx: RuleContext, what: 'model' | 'draft model', ref: string, range: Range, res: ModelResolution | undefined, mapped?: string): KvDiagnostic[] {
  const shape = refShape(ref);
  if (res?.kind === 'error') {
    return [{ severity: 'error', code: 'model-unreadable', message: `Cannot read the ${what} ${ref}: ${res.error ?? 'unknown error'}.`, range }];
  }
  if (dependsOnVariable(ref)) {
    return [{
      severity: 'information',
      code: 'model-path-variable',
      message: `The ${what} path ${ref} depends on a variable set where the config runs, so KV Lens cannot look for it here.`,
      range,
    }];
  }
  const abs = mapped ?? resolveRefPath(ref, ctx.baseDir);
  const exists = ctx.fileExists(abs);
  if (shape === 'path') {
    if (exists) return [];
    if (ctx.deployment.format === 'kvlens-profile') {
      return [{ severity: 'error', code: 'model-not-found', message: `The ${what} ${ref} does not exist (looked for ${abs}).`, range }];
    }
    const sized = res && res.kind !== 'missing' ? ' KV Lens sizes it by its name instead.' : '';
    return [{
      severity: 'information',
      code: 'model-not-here',
      message: mapped
        ? `The ${what} ${ref} maps to ${abs} (kvlens.pathMappings), which does not exist on this machine.${sized}`
        : `The ${what} ${ref} is not on this machine (looked for ${abs}); this config is written for the server it runs on. ` +
          `To size it here, map the server folder to a local one with the \`kvlens.pathMappings\` setting (e.g. {"/models": "~/models"}).${sized}`,
      range,
    }];
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
    severity: ctx.deployment.format === 'kvlens-profile' ? 'warning' : 'information',
    code: 'model-not-found',
    message: `The ${what} ${ref} is neither a file next to this file (${abs}) nor a catalog id such as meta-llama/Llama-3.1-8B-Instruct.`,
    range,
  }];
}

export const modelPathRule: Rule = {
  id: 'model-not-found',
  description: 'The model and draft model must exist when written as paths (errors only for profiles meant to run here).',
  run(ctx) {
    const d = ctx.deployment;
    const out: KvDiagnostic[] = [];
    if (d.model) out.push(...check(ctx, 'model', d.model.ref, d.model.range, ctx.modelResolution, ctx.mappedModelPath));
    const s = d.speculative;
    if (s?.draftRef && s.draftRange) out.push(...check(ctx, 'draft model', s.draftRef, s.draftRange, ctx.draftResolution, ctx.mappedDraftPath));
    return out;
  },
};

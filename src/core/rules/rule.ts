// A semantic rule: something a schema cannot say (it needs the model, the file system or two settings at
// once). Adding one = a new file exporting a Rule + one line in index.ts.
import type { Deployment } from '../deployment';
import type { KvDiagnostic } from '../diagnostics';
import type { ModelDescriptor } from '../models/descriptor';
import type { CustomTarget } from '../hardware/targets';

/** How a model reference resolved; structurally the same as models/resolve.ts's ResolvedModel. */
export interface ModelResolution {
  /** 'pending': still being resolved (a slow lookup the editor does not wait for); rules stay quiet about it. */
  kind: 'gguf' | 'hf-config' | 'catalog' | 'hub' | 'hf-cache' | 'ollama' | 'lmstudio' | 'pending' | 'missing' | 'error';
  descriptor?: ModelDescriptor;
  path?: string;
  error?: string;
}

/** Structurally models/resolve.ts's ModelResolver (createModelResolver()). */
export interface ModelResolverLike {
  resolve(ref: string, baseDir: string): Promise<ModelResolution>;
}

export interface RuleContext {
  deployment: Deployment;
  /** The deployment's model, when it could be resolved. */
  model?: ModelDescriptor;
  /** Why the model could not be read (a corrupt GGUF, ...), when it could not. */
  modelError?: string;
  text: string;
  fileName: string;
  /** Folder relative model paths resolve against (the file's folder). */
  baseDir: string;
  /** Cached existence check for absolute paths. */
  fileExists: (absPath: string) => boolean;
  /** Present only when a model resolver was given (otherwise rules must not guess about catalogs). */
  modelResolution?: ModelResolution;
  draftResolution?: ModelResolution;
  /** Catalog ids to size for when the deployment names no targets (the editor's kvlens.targets.default). */
  defaultTargets?: readonly string[];
  /** The editor's kvlens.targets.custom. */
  customTargets?: readonly CustomTarget[];
  /** The model / draft path mapped to this machine by `kvlens.pathMappings`, when a mapping applies. */
  mappedModelPath?: string;
  mappedDraftPath?: string;
}

export interface Rule {
  /** Stable id; also the diagnostic code unless the rule has several. */
  id: string;
  description: string;
  run(ctx: RuleContext): KvDiagnostic[] | Promise<KvDiagnostic[]>;
}

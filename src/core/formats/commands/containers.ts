// One container (a compose service, a Kubernetes container): its image, entrypoint/command and arguments →
// the serve command(s) it runs, analysed by the shared core. Shared by compose/ and kubernetes/.
import type { ConfigFormat, Deployment } from '../../deployment';
import type { KvDiagnostic, Range } from '../../diagnostics';
import type { DocNode, ParsedDocument } from '../document';
import { analyzeEntrypointArgs, analyzeServeCommand, findServeCommand } from './serveCommand';
import { argvFromNodes, imageEngine, shellScriptsIn, vllmVersionFor } from './yamlArgs';
import { pushAll } from '../../arrays';

export interface ContainerSpec {
  name: string;
  /** Where a CodeLens goes (the service / container name). */
  anchor: Range;
  image?: string;
  /** Replaces the image's entrypoint (compose `entrypoint`, Kubernetes `command`). */
  entrypoint?: DocNode;
  /** Arguments (compose `command`, Kubernetes `args`). */
  args?: DocNode;
}

export function analyzeContainer(doc: ParsedDocument, c: ContainerSpec, format: ConfigFormat, chosenVllmVersion?: string, llamaCppBuild?: string): { deployments: Deployment[]; diagnostics: KvDiagnostic[] } {
  // A vLLM image's tag says which release runs (unless a version was chosen): its options are checked as that one's.
  const vllmVersion = vllmVersionFor(chosenVllmVersion, c.image);
  const deployments: Deployment[] = [];
  const diagnostics: KvDiagnostic[] = [];
  const push = (r: { deployment?: Deployment; diagnostics: KvDiagnostic[] }): void => {
    pushAll(diagnostics, r.diagnostics);
    if (r.deployment) deployments.push({ ...r.deployment, anchor: deployments.length === 0 ? c.anchor : r.deployment.anchor });
  };
  const argv = argvFromNodes(doc, [c.entrypoint, c.args]);
  const serve = findServeCommand(argv.tokens);
  if (serve) {
    push(analyzeServeCommand(argv.tokens, serve, { format, rangeOf: argv.rangeOf, vllmVersion, llamaCppBuild, name: c.name }));
    return { deployments, diagnostics };
  }
  const scripts = shellScriptsIn(argv);
  if (scripts.length) {
    for (const s of scripts) {
      const sv = findServeCommand(s.tokens);
      if (sv) push(analyzeServeCommand(s.tokens, sv, { format, rangeOf: s.rangeOf, vllmVersion, llamaCppBuild, name: c.name }));
    }
    return { deployments, diagnostics };
  }
  const engine = imageEngine(c.image);
  // The image's own entrypoint is the server: `command:`/`args:` are its arguments (unless the entrypoint is replaced).
  if (engine && engine !== 'sglang' && !c.entrypoint) {
    const args = argvFromNodes(doc, [c.args]);
    push(analyzeEntrypointArgs(engine, args.tokens, c.anchor, { format, rangeOf: args.rangeOf, vllmVersion, llamaCppBuild, name: c.name }));
  }
  return { deployments, diagnostics };
}

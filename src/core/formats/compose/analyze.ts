// docker-compose files: every service whose image or command runs vLLM, llama-server or SGLang becomes a
// Deployment (anchor: the service name), with the same diagnostics as any other serve command.
import type { Deployment } from '../../deployment';
import type { KvDiagnostic } from '../../diagnostics';
import { analyzeContainer } from '../commands/containers';
import { keyRange, type ParsedDocument } from '../document';

export function analyzeCompose(doc: ParsedDocument, opts: { vllmVersion?: string; llamaCppBuild?: string } = {}): { deployments: Deployment[]; diagnostics: KvDiagnostic[] } {
  const deployments: Deployment[] = [];
  const diagnostics: KvDiagnostic[] = [];
  const services = doc.root?.props?.get('services');
  for (const s of services?.type === 'object' ? (services.members ?? []) : []) {
    if (s.type !== 'object') continue;
    const image = s.props?.get('image');
    const r = analyzeContainer(doc, {
      name: s.key ?? 'service',
      anchor: keyRange(doc, s),
      image: image?.type === 'string' ? String(image.value) : undefined,
      entrypoint: s.props?.get('entrypoint'),
      args: s.props?.get('command'),
    }, 'docker-compose', opts.vllmVersion, opts.llamaCppBuild);
    deployments.push(...r.deployments);
    diagnostics.push(...r.diagnostics);
  }
  return { deployments, diagnostics };
}

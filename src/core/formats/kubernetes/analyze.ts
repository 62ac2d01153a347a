// Kubernetes manifests (one or more `---` documents): the containers of Deployments, StatefulSets, Pods,
// DaemonSets, Jobs, ReplicaSets and LeaderWorkerSets (leader and worker templates — how multi-node vLLM is
// deployed) whose `command:`/`args:` or image run a serve command become Deployments.
import type { Deployment } from '../../deployment';
import type { KvDiagnostic } from '../../diagnostics';
import { analyzeContainer } from '../commands/containers';
import { type DocNode, keyRange, locate, parseDocument, type ParsedDocument } from '../document';

/** Pod specs of a workload, by kind. */
function podSpecs(root: DocNode): { spec: DocNode; role?: string }[] {
  const kind = root.props?.get('kind')?.value;
  const at = (path: string[]): DocNode | undefined => locate(root, path);
  switch (kind) {
    case 'Pod':
      return [at(['spec'])].filter(Boolean).map((spec) => ({ spec: spec! }));
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return [at(['spec', 'template', 'spec'])].filter(Boolean).map((spec) => ({ spec: spec! }));
    case 'CronJob':
      return [at(['spec', 'jobTemplate', 'spec', 'template', 'spec'])].filter(Boolean).map((spec) => ({ spec: spec! }));
    case 'LeaderWorkerSet': {
      const out: { spec: DocNode; role?: string }[] = [];
      const leader = at(['spec', 'leaderWorkerTemplate', 'leaderTemplate', 'spec']);
      const worker = at(['spec', 'leaderWorkerTemplate', 'workerTemplate', 'spec']);
      if (leader) out.push({ spec: leader, role: 'leader' });
      if (worker) out.push({ spec: worker, role: 'worker' });
      return out;
    }
    default:
      return [];
  }
}

/** Document `i` of a multi-document text, other documents blanked so offsets stay those of the whole file. */
function documentTexts(text: string): string[] {
  const starts = [0];
  const re = /^---[ \t]*(?:#.*)?$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index + m[0].length);
  if (starts.length === 1) return [text];
  const out: string[] = [];
  for (let k = 0; k < starts.length; k++) {
    const a = starts[k];
    const b = k + 1 < starts.length ? starts[k + 1] - 3 : text.length;
    const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
    out.push(blank(text.slice(0, a)) + text.slice(a, Math.max(a, b)) + blank(text.slice(Math.max(a, b))));
  }
  return out;
}

/** Parses each `---` document on its own (offsets and ranges stay the whole file's), then reads the workloads. */
export function analyzeKubernetes(text: string, opts: { vllmVersion?: string; llamaCppBuild?: string } = {}): { deployments: Deployment[]; diagnostics: KvDiagnostic[]; documents: ParsedDocument[] } {
  const deployments: Deployment[] = [];
  const diagnostics: KvDiagnostic[] = [];
  const texts = documentTexts(text);
  const docs: ParsedDocument[] = texts.map((t) => parseDocument(t, 'yaml'));
  if (texts.length > 1) for (const d of docs) d.text = text;
  for (const d of docs) {
    diagnostics.push(...d.diagnostics);
    if (!d.root || d.root.type !== 'object') continue;
    const workload = d.root.props?.get('metadata')?.props?.get('name')?.value;
    for (const { spec, role } of podSpecs(d.root)) {
      const containers = spec.props?.get('containers');
      for (const c of containers?.type === 'array' ? (containers.items ?? []) : []) {
        if (c.type !== 'object') continue;
        const name = c.props?.get('name');
        const image = c.props?.get('image');
        const label = [workload, role, name?.value].filter((x) => x !== undefined && x !== null).join('/');
        const r = analyzeContainer(d, {
          name: label || 'container',
          anchor: name ? keyRange(d, name) : keyRange(d, c),
          image: image?.type === 'string' ? String(image.value) : undefined,
          entrypoint: c.props?.get('command'),
          args: c.props?.get('args'),
        }, 'kubernetes', opts.vllmVersion, opts.llamaCppBuild);
        deployments.push(...r.deployments);
        diagnostics.push(...r.diagnostics);
      }
    }
  }
  return { deployments, diagnostics, documents: docs };
}

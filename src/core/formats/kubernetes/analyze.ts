// Kubernetes manifests (one or more `---` documents): the containers of Deployments, StatefulSets, Pods,
// DaemonSets, Jobs, ReplicaSets and LeaderWorkerSets (leader and worker templates — how multi-node vLLM is
// deployed) whose `command:`/`args:` or image run a serve command become Deployments.
import type { Deployment } from '../../deployment';
import type { KvDiagnostic } from '../../diagnostics';
import { analyzeContainer } from '../commands/containers';
import { type DocNode, keyRange, locate, parseDocument, type ParsedDocument } from '../document';
import { pushAll } from '../../arrays';

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

/**
 * Document `i` of a multi-document text, parsed on its own with its lines where they are in the file. The first
 * keeps the whole file's offsets (the rest blanked: one pass over the file). Each later one is the document alone
 * behind one empty line per line before it: same line and column for every position, so ranges (computed from
 * the document's own LineIndex) are the file's, without parsing the whole file once per document — that was
 * quadratic (9,000 small Deployments: 4 GB and an abort).
 */
/** Documents of one manifest that are analysed; a file with more gets a note (`helm template` of a whole chart
 * is a few dozen). Each later document costs its own lines plus one character per line before it. */
export const MAX_MANIFEST_DOCUMENTS = 100;

function documentTexts(text: string): { text: string; whole: boolean; start?: number; more?: number }[] {
  const starts = [0];
  const re = /^---[ \t]*(?:#.*)?$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index + m[0].length);
  if (starts.length === 1) return [{ text, whole: true }];
  const out: { text: string; whole: boolean; start?: number; more?: number }[] = [];
  let linesBefore = 0;
  let counted = 0;
  for (let k = 0; k < starts.length; k++) {
    const a = starts[k];
    const b = k + 1 < starts.length ? starts[k + 1] - 3 : text.length;
    if (k === 0) {
      const blank = (x: string): string => x.replace(/[^\n]/g, ' ');
      out.push({ text: text.slice(0, Math.max(a, b)) + blank(text.slice(Math.max(a, b))), whole: true });
      continue;
    }
    if (k >= MAX_MANIFEST_DOCUMENTS) { out.push({ text: '', whole: false, start: a, more: starts.length - k }); break; }
    // Newlines in text[0, a), counted incrementally (each stretch once).
    for (let i = text.indexOf('\n', counted); i >= 0 && i < a; i = text.indexOf('\n', i + 1)) linesBefore++;
    counted = a;
    out.push({ text: '\n'.repeat(linesBefore) + text.slice(a, Math.max(a, b)), whole: false });
  }
  return out;
}

/** Parses each `---` document on its own (offsets and ranges stay the whole file's), then reads the workloads. */
export function analyzeKubernetes(text: string, opts: { vllmVersion?: string; llamaCppBuild?: string } = {}): { deployments: Deployment[]; diagnostics: KvDiagnostic[]; documents: ParsedDocument[] } {
  const deployments: Deployment[] = [];
  const diagnostics: KvDiagnostic[] = [];
  const texts = documentTexts(text);
  const rest = texts[texts.length - 1]!.more !== undefined ? texts.pop()! : undefined;
  const docs: ParsedDocument[] = texts.map((t) => parseDocument(t.text, 'yaml'));
  // The first document's offsets are the file's: it stands for the file (analysis.document). The others keep
  // their own text, which their offsets (and yaml's scalar offsets) point into.
  if (texts.length > 1) docs[0]!.text = text;
  for (const d of docs) {
    pushAll(diagnostics, d.diagnostics);
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
        pushAll(deployments, r.deployments);
        pushAll(diagnostics, r.diagnostics);
      }
    }
  }
  if (rest) {
    diagnostics.push({
      severity: 'information', code: 'too-many-documents',
      message: `This manifest has ${(MAX_MANIFEST_DOCUMENTS + rest.more!).toLocaleString('en-US')} documents; KV Lens reads the first ${MAX_MANIFEST_DOCUMENTS} (split the file to check the others).`,
      range: docs[0]!.lines.range(rest.start!, rest.start!),
    });
  }
  return { deployments, diagnostics, documents: docs };
}

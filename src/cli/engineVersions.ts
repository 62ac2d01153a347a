// `--vllm-version` and `--llama-build`: which engine release's option table `kvlens check` and `kvlens estimate`
// judge a file against (the editor's kvlens.vllm.version and kvlens.llamaCpp.build settings). A profile's own
// `engine.version` still wins for that profile.
import { VLLM_VERSIONS } from '../core/formats/vllm/tables';
import { LLAMA_BUILDS } from '../core/formats/llamacpp/flags';
import { UsageError } from './io';

/** The two options' help lines, descriptions starting at column `column` (as the command's other options). */
export function versionOptionsHelp(column: number): string {
  const row = (flag: string, lines: string[]): string =>
    lines.map((l, i) => (i === 0 ? `  ${flag}`.padEnd(column) : ' '.repeat(column)) + l + '\n').join('');
  return row('--vllm-version V', [
    'vLLM release to check vLLM options against: latest (default) or one of',
    `${VLLM_VERSIONS[0]}…${VLLM_VERSIONS[VLLM_VERSIONS.length - 1]} (a patch release such as 0.11.2 uses the 0.11 table); with latest,`,
    'a vllm/vllm-openai:vX.Y image (compose, Kubernetes, docker run) is checked as vX.Y',
  ]) + row('--llama-build B', [
    'llama.cpp build to check flags against: bundled (default), upstream, or a',
    `build number such as b8914 (the newest table not newer than it; tables: ${LLAMA_BUILDS.map((b) => b.id).join(', ')})`,
  ]);
}

/** A vLLM release as people write it (0.11, v0.11.2, 0.10.1.post1, latest), else a usage error. */
export function vllmVersionArg(v: string): string {
  const s = v.trim();
  if (/^latest$/i.test(s) || /^v?\d+\.\d+(\.\d+)?([.-]?(post|rc|dev)\d*)?$/i.test(s)) return s;
  throw new UsageError(`--vllm-version wants a vLLM release such as ${VLLM_VERSIONS[VLLM_VERSIONS.length - 1]} or latest (tables: ${VLLM_VERSIONS.join(', ')}); got '${v}'`);
}

/** A llama.cpp build: bundled, upstream/latest, or a build number (b8914, 8914), else a usage error. */
export function llamaBuildArg(b: string): string {
  const s = b.trim();
  if (/^(bundled|upstream|latest)$/i.test(s) || /^b?\d+$/i.test(s)) return s.toLowerCase();
  throw new UsageError(`--llama-build wants bundled, upstream or a build number such as b8914; got '${b}'`);
}

// Serve commands in shell scripts → Deployments and diagnostics, through the shared command core.
import type { Deployment } from '../../deployment';
import type { KvDiagnostic } from '../../diagnostics';
import { analyzeEntrypointArgs, analyzeServeCommand, findServeCommand } from '../commands/serveCommand';
import { imageEngine, vllmVersionFor } from '../commands/yamlArgs';
import { LineIndex } from '../document';
import type { Span } from '../llamacpp/parse';
import { type ArgToken, tokenizeArgs } from '../llamacpp/tokenize';
import { splitShellCommands } from './script';
import { pushAll } from '../../arrays';

export function analyzeShellScript(text: string, opts: { vllmVersion?: string; llamaCppBuild?: string } = {}): { deployments: Deployment[]; diagnostics: KvDiagnostic[]; lines: LineIndex } {
  const lines = new LineIndex(text);
  const deployments: Deployment[] = [];
  const diagnostics: KvDiagnostic[] = [];
  const { commands, issues } = splitShellCommands(text);
  for (const cmd of commands) {
    const tok = tokenizeArgs(cmd.text);
    const serve = findServeCommand(tok.tokens);
    const image = serve ? undefined : containerImage(tok.tokens);
    if (!serve && !image) continue;
    const at = (o: number): number => (o < cmd.offsets.length ? cmd.offsets[o] : (cmd.offsets[cmd.offsets.length - 1] ?? 0) + 1);
    const rangeOf = (s: Span) => lines.range(at(s.offset), s.length > 0 ? at(s.offset + s.length - 1) + 1 : at(s.offset));
    const vllmVersion = image ? vllmVersionFor(opts.vllmVersion, tok.tokens[image.index].value) : opts.vllmVersion;
    const ctx = { format: 'shell' as const, rangeOf, vllmVersion, llamaCppBuild: opts.llamaCppBuild };
    const r = serve
      ? analyzeServeCommand(tok.tokens, serve, ctx)
      : analyzeEntrypointArgs(image!.engine, tok.tokens.slice(image!.index + 1), rangeOf(tok.tokens[image!.index]), ctx);
    pushAll(diagnostics, r.diagnostics);
    if (r.deployment) deployments.push(r.deployment);
  }
  for (const i of issues) {
    diagnostics.push(i.code === 'comment-in-continuation'
      ? {
        severity: 'warning',
        code: 'comment-in-continuation',
        message: 'This `#` comment is inside a command continued with `\\`: bash drops the rest of the line, its `\\` included, so the command ends here and the lines after it run as separate commands (their options never reach the server). Move the comment out of the command.',
        range: lines.range(i.start, i.end),
      }
      : {
        severity: 'warning',
        code: 'backslash-space',
        message: 'A `\\` followed by spaces does not continue the line (it escapes the space): the command ends at this newline. Remove the trailing spaces.',
        range: lines.range(i.start, i.end),
      });
  }
  return { deployments, diagnostics, lines };
}

/**
 * `docker run … vllm/vllm-openai:v0.10.1 --model X …` (or podman): the arguments after a serving image are its
 * entrypoint's (vllm serve, llama-server). Images that run something else, or a command given after the image
 * (found by findServeCommand), are not this.
 */
function containerImage(tokens: readonly ArgToken[]): { index: number; engine: 'vllm' | 'llama.cpp' } | undefined {
  const base = (tokens[0]?.value ?? '').replace(/\\/g, '/').split('/').pop();
  if ((base !== 'docker' && base !== 'podman') || !tokens.slice(1, 3).some((t) => t.value === 'run')) return undefined;
  for (let i = 2; i < tokens.length; i++) {
    const engine = imageEngine(tokens[i].value);
    if (engine === 'vllm' || engine === 'llama.cpp') return { index: i, engine };
  }
  return undefined;
}

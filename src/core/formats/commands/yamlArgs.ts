// Command lines written in YAML (compose `command:`/`entrypoint:`, Kubernetes `command:`/`args:`): a string is
// split like a shell would, a list is one argument per item. Tokens keep where they came from (`index` = the
// piece, offsets into its value), so a diagnostic lands on the argument's own characters.
import type { Range } from '../../diagnostics';
import { type DocNode, type ParsedDocument, valueOffsetMapper } from '../document';
import type { Span } from '../llamacpp/parse';
import { type ArgToken, tokenizeArgs } from '../llamacpp/tokenize';
import { findServeCommand, type ServeEngine } from './serveCommand';
import { splitShellCommands } from '../shell/script';

export interface YamlArgv {
  tokens: ArgToken[];
  rangeOf(span: Span): Range;
}

/** Joins string/list nodes into one argv. */
export function argvFromNodes(doc: ParsedDocument, nodes: readonly (DocNode | undefined)[]): YamlArgv {
  const tokens: ArgToken[] = [];
  const mappers: ((o: number) => number)[] = [];
  for (const node of nodes) {
    if (!node) continue;
    if (node.type === 'string') {
      const index = mappers.length;
      mappers.push(valueOffsetMapper(doc, node));
      for (const t of tokenizeArgs(String(node.value)).tokens) tokens.push({ ...t, index });
    } else if (node.type === 'array') {
      for (const it of node.items ?? []) {
        if (it.type !== 'string' && it.type !== 'number' && it.type !== 'boolean') continue;
        const index = mappers.length;
        const value = String(it.value);
        mappers.push(it.type === 'string' ? valueOffsetMapper(doc, it) : (o) => Math.min(it.start + Math.max(0, o), it.end));
        tokens.push({ value, offset: 0, length: value.length, index });
      }
    }
  }
  const rangeOf = (s: Span): Range => {
    const map = mappers[s.index ?? 0] ?? mappers[0];
    if (!map) return doc.lines.range(0, 0);
    const start = map(s.offset);
    const end = s.length > 0 ? map(s.offset + s.length - 1) + 1 : start;
    return doc.lines.range(start, end);
  };
  return { tokens, rangeOf };
}

/** `sh -c "<script>"` / `bash -lc '…'`: the script, as commands with their own argv (multi-node vLLM does this). */
export function shellScriptsIn(argv: YamlArgv): YamlArgv[] {
  const t = argv.tokens;
  const sh = t.findIndex((x) => /(^|\/)(ba|z|da)?sh$/.test(x.value));
  if (sh < 0) return [];
  const c = t.findIndex((x, i) => i > sh && /^-[a-z]*c$/.test(x.value));
  const script = c >= 0 ? t[c + 1] : undefined;
  if (!script) return [];
  const out: YamlArgv[] = [];
  for (const cmd of splitShellCommands(script.value).commands) {
    const toks = tokenizeArgs(cmd.text).tokens;
    // Offsets: command text → script value → the script token's characters → the document.
    const scriptSpanAt = (o: number): number => (o < cmd.offsets.length ? cmd.offsets[o] : (cmd.offsets[cmd.offsets.length - 1] ?? 0) + 1);
    const valueOffset = (o: number): number => (script.charOffsets ? (script.charOffsets[o] ?? script.offset + script.length) : script.offset + o);
    out.push({
      tokens: toks,
      rangeOf: (s: Span) => {
        const a = valueOffset(scriptSpanAt(s.offset));
        const b = s.length > 0 ? valueOffset(scriptSpanAt(s.offset + s.length - 1)) + 1 : a;
        return argv.rangeOf({ offset: a, length: Math.max(0, b - a), index: script.index });
      },
    });
  }
  return out;
}

/** Images whose entrypoint is a serve command: `command:`/`args:` are that command's arguments. */
export function imageEngine(image: string | undefined): ServeEngine | undefined {
  if (!image) return undefined;
  const i = image.toLowerCase();
  if (/(^|\/)vllm[-_]?openai([-_][\w.-]*)?(:|@|$)/.test(i) || /(^|\/)vllm\/vllm[\w.-]*(:|@|$)/.test(i)) return 'vllm';
  // A tag, and maybe a digest (`:server-cuda@sha256:…`, pinned images).
  if (/llama\.cpp:server[\w.-]*(@sha256:[0-9a-f]+)?$/.test(i)) return 'llama.cpp';
  if (/(^|\/)sglang(:|@|$)/.test(i)) return 'sglang';
  return undefined;
}

/**
 * The vLLM release a vLLM image runs, from its tag (`vllm/vllm-openai:v0.10.1` → 0.10.1; `latest`, `nightly` or a
 * digest alone say nothing), for the option table when none is chosen: a config for v0.17 is checked as 0.17.
 */
export function imageVllmVersion(image: string | undefined): string | undefined {
  if (!image || imageEngine(image) !== 'vllm') return undefined;
  const tag = /:([^:/@]+)(@|$)/.exec(image)?.[1];
  return tag ? /^v?(\d+\.\d+(?:\.\d+)?)/.exec(tag)?.[1] : undefined;
}

/** The vLLM version to check with: one the user chose, else the image's, else the newest (undefined). */
export function vllmVersionFor(chosen: string | undefined, image: string | undefined): string | undefined {
  return chosen && chosen !== 'latest' ? chosen : imageVllmVersion(image) ?? chosen;
}

/** What an image's own entrypoint runs when `entrypoint`/`command` do not replace it. */
export function runsServer(argv: YamlArgv): boolean {
  return findServeCommand(argv.tokens) !== undefined;
}

// llama.cpp flags written inside a document (a profile's `engine.args`, string or list): parse them with the
// llama.cpp flag parser and map its spans — offsets into the scalar's *value* — back to document ranges, so a
// bad flag is underlined at its own columns even inside quotes, escapes or block scalars.
import type { EngineSettings } from '../deployment';
import type { KvDiagnostic, QuickFix, Range } from '../diagnostics';
import { type DocNode, type ParsedDocument, valueOffsetMapper } from './document';
import { llamaEngineSettings } from './llamacpp/engine';
import { type LlamaArgsParse, parseLlamaArgs, type Span } from './llamacpp/parse';

export interface DocLlamaArgs {
  parse: LlamaArgsParse;
  engine: EngineSettings;
  ranges: Partial<Record<string, Range>>;
  diagnostics: KvDiagnostic[];
  rangeOf(span: Span): Range;
}

export function defaultLlamaEngine(): EngineSettings {
  return llamaEngineSettings();
}

/** Parses a string or list-of-strings node; undefined when the node is neither. */
export function llamaArgsFromNode(doc: ParsedDocument, node: DocNode, build?: string): DocLlamaArgs | undefined {
  let input: string | string[];
  const mappers: ((o: number) => number)[] = [];
  const itemNodes: DocNode[] = [];
  if (node.type === 'string') {
    input = String(node.value);
    mappers.push(valueOffsetMapper(doc, node));
    itemNodes.push(node);
  } else if (node.type === 'array') {
    input = [];
    for (const it of node.items ?? []) {
      // Numbers in a list (`- -c` / `- 4096`) are flags' values written unquoted.
      const text = it.type === 'string' ? String(it.value) : it.type === 'number' || it.type === 'boolean' ? String(it.value) : '';
      input.push(text);
      itemNodes.push(it);
      mappers.push(it.type === 'string' ? valueOffsetMapper(doc, it) : (o) => Math.min(it.start + Math.max(0, o), it.end));
    }
  } else {
    return undefined;
  }
  const parse = parseLlamaArgs(input, { build });
  const rangeOf = (span: Span): Range => {
    const i = span.index ?? 0;
    const map = mappers[i] ?? mappers[0];
    if (!map) return doc.lines.range(node.start, node.end);
    const start = map(span.offset);
    const end = span.length > 0 ? map(span.offset + span.length) : start;
    return doc.lines.range(start, end);
  };
  const diagnostics: KvDiagnostic[] = parse.issues.map((issue) => {
    const range = rangeOf(issue.span);
    const fixes: QuickFix[] | undefined = issue.fix
      ? [{ title: issue.fix.title, preferred: true, edits: issue.fix.edits.map((e) => ({ range: rangeOf(e), newText: e.newText })) }]
      : undefined;
    return { severity: issue.severity, code: issue.code, message: issue.message, range, fixes };
  });
  const ranges: Partial<Record<string, Range>> = {};
  for (const [field, span] of Object.entries(parse.spans)) ranges[field] = rangeOf(span);
  const engine: EngineSettings = llamaEngineSettings(parse.settings);
  return { parse, engine, ranges, diagnostics, rangeOf };
}

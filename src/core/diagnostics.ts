// The diagnostic model shared by `kvlens check`, the extension and every rule. Positions are 0-based (LSP);
// the CLI's text output adds 1 for people and problem matchers.

export type Severity = 'error' | 'warning' | 'information';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

/** A quick fix offered only where there is one obvious fix; edits apply to the same document. */
export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** The fix VS Code should offer first (CodeActionKind.QuickFix with isPreferred). */
  preferred?: boolean;
}

export interface KvDiagnostic {
  severity: Severity;
  /** Stable, documented code such as `unknown-key` or `quantized-v-needs-fa`. */
  code: string;
  message: string;
  range: Range;
  fixes?: QuickFix[];
  /**
   * A rule's diagnostic that says better what a schema error at the same range says (an unknown target id
   * rather than "must match the pattern"): the schema's is dropped instead of this one.
   */
  overridesSchema?: boolean;
}

export const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

// Shared by the formats, rules and CLI tests: read a diagnostic's text back out of the document.
import * as path from 'node:path';
import type { KvDiagnostic, Range } from '../../../src/core/diagnostics';
import { LineIndex } from '../../../src/core/formats/document';

export const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'formats');
export const EXAMPLES = path.resolve(__dirname, '..', '..', '..', '..', 'examples');

/** The document text a range covers. */
export function textAt(text: string, range: Range | undefined): string {
  if (!range) return '<no range>';
  const lines = new LineIndex(text);
  return text.slice(lines.offset(range.start), lines.offset(range.end));
}

export function byCode(ds: KvDiagnostic[], code: string): KvDiagnostic[] {
  return ds.filter((d) => d.code === code);
}

export function one(ds: KvDiagnostic[], code: string): KvDiagnostic {
  const found = byCode(ds, code);
  if (found.length !== 1) throw new Error(`expected one ${code}, got ${found.length}: ${JSON.stringify(ds.map((d) => `${d.code}: ${d.message}`), null, 1)}`);
  return found[0];
}

export function at(d: KvDiagnostic): string {
  return `${d.range.start.line}:${d.range.start.character}`;
}

// Shape of the generated SGLang option table (table.generated.ts), kept apart so the generated file is pure data.

/** How an option takes its value, as SGLang's argparse sets it up (see vllm/tableTypes.ts for the same words). */
export type SglangValueKind = 'flag' | 'bool' | 'int' | 'hrint' | 'float' | 'string' | 'enum' | 'json' | 'list' | 'optstr';

export interface GeneratedSglangOption {
  /** Long name without dashes (`tensor-parallel-size`). */
  n: string;
  /** Other spellings (`--tp-size`). */
  a?: string[];
  t: SglangValueKind;
  c?: string[];
  /** Deprecation or removal text (DeprecatedAction). */
  dep?: string;
  df?: number | string | boolean;
}

export interface GeneratedSglangTable {
  version: string;
  tag: string;
  repository: string;
  commit: string;
  date: string;
  readFrom: string;
  file: string;
  options: readonly GeneratedSglangOption[];
}

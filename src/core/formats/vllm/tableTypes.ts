// Shapes of the generated vLLM option tables (tables.generated.ts), kept apart so the generated file is pure data.

/**
 * How an option takes its value, as vLLM's argparse sets it up: `bool` (BooleanOptionalAction: `--x` and
 * `--no-x`), `flag` (store_true), `int`, `hrint` (human_readable_int: 32k / 32K), `hrint-auto` (also `auto`),
 * `float`, `string`, `enum` (`c` = choices), `json` (a config dataclass or dict: a mapping, or the same as a JSON
 * string), `list` (nargs="+": one value or a list), `optstr` (a bare flag or a value, like --hf-token).
 */
export type VllmValueKind = 'bool' | 'flag' | 'int' | 'hrint' | 'hrint-auto' | 'float' | 'string' | 'enum' | 'json' | 'list' | 'optstr';

export interface GeneratedVllmOption {
  /** Long name, dashed (`max-model-len`). */
  n: string;
  /** Short forms (`-tp`). */
  a?: string[];
  t: VllmValueKind;
  c?: string[];
  /** Choices that platforms and plugins extend: other values are warnings. */
  open?: boolean;
  /** Deprecation text from vLLM's source. */
  dep?: string;
  /** Distinctive for content detection. */
  d?: boolean;
  /** The vLLM class that registers it (EngineArgs, AsyncEngineArgs, FrontendArgs, serve). */
  g: string;
  /** pydantic Field bounds of its config field (xmin/xmax exclusive). */
  b?: { min?: number; max?: number; xmin?: number; xmax?: number };
}

export interface GeneratedVllmTable {
  version: string;
  repository: string;
  commit: string;
  /** How the version of this source is known. */
  evidence: string;
  excludedForkOptions: number;
  options: GeneratedVllmOption[];
  /** Options the previous (older) table had and this one does not, with what replaced them when vLLM says. */
  removed?: { n: string; by: string | null }[];
}

// Shapes of the generated vLLM option tables (tables.generated.ts), kept apart so the generated file is pure data.

/**
 * How an option takes its value, as vLLM's argparse sets it up: `bool` (BooleanOptionalAction: `--x` and
 * `--no-x`), `flag` (store_true), `int`, `hrint` (human_readable_int: 32k / 32K), `hrint-auto` (also `auto`),
 * `float`, `string`, `enum` (`c` = choices), `json` (a config dataclass or dict: a mapping, or the same as a JSON
 * string), `dictstr` (union_dict_and_str: a plain string, or a JSON object), `list` (nargs="+": one value or a
 * list), `optstr` (a bare flag or a value, like --hf-token).
 */
export type VllmValueKind = 'bool' | 'flag' | 'int' | 'hrint' | 'hrint-auto' | 'float' | 'string' | 'enum' | 'json' | 'dictstr' | 'list' | 'optstr';

/** Bounds vLLM enforces (xmin/xmax exclusive). */
export interface VllmBounds {
  min?: number;
  max?: number;
  xmin?: number;
  xmax?: number;
}

export interface GeneratedVllmOption {
  /** Long name, dashed (`max-model-len`). */
  n: string;
  /** Short forms (`-tp`). */
  a?: string[];
  t: VllmValueKind;
  c?: string[];
  /** The choices are integers (block-size). */
  ci?: boolean;
  /** Choices that platforms and plugins extend: other values are warnings. */
  open?: boolean;
  /** `None` (and an empty value) is accepted: the field is Optional. */
  nul?: boolean;
  /** Deprecation text from vLLM's source. */
  dep?: string;
  /** Distinctive for content detection. */
  d?: boolean;
  /** The vLLM class that registers it (EngineArgs, a config class, FrontendArgs, serve). */
  g: string;
  /** Its config field, when the option is named otherwise (`--kv-cache-dtype` → cache_dtype). */
  f?: string;
  /** Default, where the source states a constant. */
  df?: number | string | boolean;
  /** Bounds vLLM enforces, and `bs`: where its source states them. */
  b?: VllmBounds;
  bs?: string;
  /** May be given more than once (action="append"). */
  rep?: boolean;
  /** The value is lower-cased (and `-` → `_`) before the choices are checked. */
  norm?: boolean;
}

/** One table as generated: option indices into VLLM_OPTION_POOL. */
export interface GeneratedVllmTableSource {
  version: string;
  /** The release tag the table was read at (the minor's newest patch release). */
  tag: string;
  repository: string;
  commit: string;
  /** The tag's commit date. */
  date: string;
  /** Where the tagged tree was read from. */
  readFrom: string;
  options: readonly number[];
  /** Options the previous (older) table had and this one does not, with what replaced them when vLLM says. */
  removed: readonly { n: string; by: string | null }[];
}

export interface GeneratedVllmTable extends Omit<GeneratedVllmTableSource, 'options'> {
  options: readonly GeneratedVllmOption[];
}

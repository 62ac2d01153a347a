// Shapes of the llama.cpp flag table. Kept apart from the data so the generated table stays pure data.
import type { EngineSettings } from '../../deployment';

/**
 * How a flag takes its value. `none`: a switch with no value; `bool`: a switch with a negative spelling
 * (`--kv-unified` / `--no-kv-unified`), also valueless; `gpuLayers`: an integer or `auto` / `all`.
 */
export type FlagValueKind = 'none' | 'bool' | 'int' | 'float' | 'string' | 'enum' | 'path' | 'list' | 'gpuLayers';

/** The llama.cpp programs whose flags we know. */
export type LlamaTool = 'llama-server' | 'llama-cli' | 'llama-bench';

/** EngineSettings fields a flag can set (plus `modelRef`, which also lives there). */
export type SettingField = keyof EngineSettings;

/** One row as generated from llama.cpp's common/arg.cpp (see argTable.ts for the field key). */
export interface RawFlagRow {
  n: readonly string[];
  neg?: readonly string[];
  kind: FlagValueKind;
  values?: readonly string[];
  /** Accepts llama.cpp's truthy/falsey/auto spellings (on/enabled/true/1, off/disabled/false/0, auto/-1). */
  onOff?: boolean;
  hint?: string;
  sets?: SettingField;
  ex: readonly string[];
  exc?: readonly string[];
  sampling?: boolean;
  d?: string;
  /** llama.cpp's own warning for a flag it still takes but deprecates (its handler's "DEPRECATED: …"). */
  dep?: string;
  removed?: string;
}

/** A flag as the parser sees it. */
export interface FlagSpec {
  /** Every spelling that turns it on (or takes its value), short forms first. */
  names: readonly string[];
  /** Spellings that turn a boolean off. */
  negNames: readonly string[];
  /** The name used in messages: the first long form. */
  canonical: string;
  kind: FlagValueKind;
  values?: readonly string[];
  onOff?: boolean;
  hint?: string;
  sets?: SettingField;
  /** Programs that accept it. */
  tools: ReadonlySet<LlamaTool>;
  /** Other llama.cpp programs only (for "this is a llama-cli flag" messages). */
  otherPrograms: readonly string[];
  sampling: boolean;
  description: string;
  /** Set when the bundled llama.cpp refuses the flag but older builds accepted it; says what to use instead. */
  removed?: string;
  /** Set when the flag still works but is deprecated (warning): llama.cpp's own warning for it. */
  deprecated?: string;
  /** For removed switches that map onto a current flag: the replacement text, e.g. `-lm none`. */
  replacement?: string;
  /** In llama-bench, values are comma lists that expand into a test matrix. */
  commaList?: boolean;
}

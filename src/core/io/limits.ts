// How much KV Lens reads of each kind of input. A serving config is a few KiB; the caps are far above any real
// one and far below what would hurt the editor or a CI runner.
export const LIMITS = {
  /** Profiles, vLLM configs, llama-swap files (the analyser refuses larger texts too: formats/analyze.ts). */
  configBytes: 4 * 1024 * 1024,
  /** An HF config.json. */
  hfConfigBytes: 8 * 1024 * 1024,
  /** A results store (JSON Lines), read line by line. */
  resultsBytes: 1024 * 1024 * 1024,
  /** One line of a results store. */
  resultLineBytes: 16 * 1024 * 1024,
  /** Special files named on purpose (`-`, /dev/stdin): how long to wait without data. */
  idleTimeoutMs: 10_000,
} as const;

// A POSIX-shell-like splitter for llama.cpp command lines that remembers where every token came from, so a
// diagnostic can land on a flag's own columns. It handles what people paste into configs: single and double
// quotes, backslash escapes, `\`+newline continuations (llama-swap `cmd: |` blocks), `#` comments. It never
// expands variables: `${...}` stays literal (llama-swap macros are expanded by the caller, with offsets kept).

export interface ArgToken {
  /** The argument as the program receives it (quotes and escapes removed). */
  value: string;
  /** Where the raw token starts in the input (or in its array item when `index` is set). */
  offset: number;
  /** Length of the raw token, quotes included. */
  length: number;
  /** The array item this token came from, when the input was an array. */
  index?: number;
  /**
   * Input offset of each character of `value`, present only when the token is not a plain copy of its source
   * (quotes, escapes or continuations inside it); otherwise value[i] sits at offset + i.
   */
  charOffsets?: number[];
}

/** The input offset of character `i` of a token's value (i may equal value.length: the end). */
export function tokenCharOffset(tok: ArgToken, i: number): number {
  if (!tok.charOffsets) return tok.offset + i;
  if (i < tok.charOffsets.length) return tok.charOffsets[i];
  return tok.offset + tok.length;
}

export interface TokenizeResult {
  tokens: ArgToken[];
  /** An unterminated quote: where it opened. */
  unterminatedQuote?: { offset: number; quote: string };
}

/**
 * Outside quotes a backslash escapes only what the shell would otherwise treat specially; before any other
 * character it stays, so Windows paths (`C:\models\a.gguf`) survive as written.
 */
const ESCAPABLE = new Set([' ', '\t', '"', "'", '\\', '$', '#', '`', '&', '|', ';', '<', '>', '(', ')']);

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Splits one command line. Linear in the input length. `posix`: a backslash outside quotes escapes any
 * character (`\5` is `5`), as POSIX shells and Go's shlex.Posix (llama-swap on Linux and macOS) read it; by
 * default it escapes only what a shell treats specially, so Windows paths survive.
 */
export function tokenizeArgs(input: string, index?: number, posix = false): TokenizeResult {
  const tokens: ArgToken[] = [];
  let unterminatedQuote: TokenizeResult['unterminatedQuote'];
  const n = input.length;
  let i = 0;
  // The token being read. Declared once with the two helpers below: closures made per token cost two allocations
  // each (a 1,000-model llama-swap file has 10,000 tokens).
  let start = 0;
  let value = '';
  let offsets: number[] | undefined;
  let plain = true; // value so far is input.slice(start, i)
  const breakPlain = (): void => {
    if (plain) {
      plain = false;
      offsets = [];
      for (let k = 0; k < value.length; k++) offsets.push(start + k);
    }
  };
  const push = (ch: string, at: number): void => {
    if (at !== start + value.length) breakPlain();
    value += ch;
    if (!plain) offsets!.push(at);
  };
  while (i < n) {
    const c = input.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    // `\` + newline between tokens is only a continuation.
    if (c === 92 /* \ */ && (input[i + 1] === '\n' || (input[i + 1] === '\r' && input[i + 2] === '\n'))) {
      i += input[i + 1] === '\n' ? 2 : 3;
      continue;
    }
    if (c === 35 /* # */) {
      while (i < n && input[i] !== '\n') i++;
      continue;
    }
    start = i;
    value = '';
    offsets = undefined;
    plain = true;
    while (i < n) {
      const ch = input[i];
      if (isSpace(input.charCodeAt(i))) break;
      if (ch === '\\') {
        breakPlain();
        if (input[i + 1] === '\n') {
          i += 2;
          continue;
        }
        if (input[i + 1] === '\r' && input[i + 2] === '\n') {
          i += 3;
          continue;
        }
        if (i + 1 < n && (ESCAPABLE.has(input[i + 1]) || (posix && !isSpace(input.charCodeAt(i + 1))))) {
          push(input[i + 1], i + 1);
          i += 2;
        } else {
          push('\\', i);
          i++;
        }
        continue;
      }
      if (ch === "'") {
        breakPlain();
        const close = input.indexOf("'", i + 1);
        if (close < 0) {
          unterminatedQuote ??= { offset: i, quote: "'" };
          for (let k = i + 1; k < n; k++) push(input[k], k);
          i = n;
          break;
        }
        for (let k = i + 1; k < close; k++) push(input[k], k);
        i = close + 1;
        continue;
      }
      if (ch === '"') {
        breakPlain();
        let k = i + 1;
        let closed = false;
        while (k < n) {
          const q = input[k];
          if (q === '"') {
            closed = true;
            break;
          }
          if (q === '\\' && k + 1 < n) {
            const nx = input[k + 1];
            if (nx === '\n') {
              k += 2;
              continue;
            }
            if (nx === '"' || nx === '\\' || nx === '$' || nx === '`') {
              push(nx, k + 1);
              k += 2;
              continue;
            }
          }
          push(q, k);
          k++;
        }
        if (!closed) unterminatedQuote ??= { offset: i, quote: '"' };
        i = closed ? k + 1 : n;
        continue;
      }
      // A run of ordinary characters at once: most tokens are nothing else, and a string built a character at a
      // time costs an allocation per character (75,000 cmds in one llama-swap file).
      let j = i + 1;
      while (j < n) {
        const cj = input.charCodeAt(j);
        if (isSpace(cj) || cj === 92 /* \ */ || cj === 39 /* ' */ || cj === 34 /* " */) break;
        j++;
      }
      if (plain) value += input.slice(i, j);
      else for (let k = i; k < j; k++) push(input[k], k);
      i = j;
    }
    const tok: ArgToken = { value, offset: start, length: i - start };
    if (index !== undefined) tok.index = index;
    if (!plain) tok.charOffsets = offsets;
    tokens.push(tok);
  }
  return { tokens, unterminatedQuote };
}

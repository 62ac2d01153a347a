// Spans of tokens (offsets into the tokenized text, or into one list item) shared by the command readers.
import type { Span } from '../llamacpp/parse';
import { type ArgToken, tokenCharOffset } from '../llamacpp/tokenize';

/** The span of a token's value characters [from, to), or of the whole raw token. */
export function spanOfToken(tok: ArgToken, from = 0, to = tok.value.length): Span {
  let s: Span;
  if (from === 0 && to === tok.value.length) s = { offset: tok.offset, length: tok.length };
  else {
    const start = tokenCharOffset(tok, from);
    const end = to > from ? tokenCharOffset(tok, to - 1) + 1 : start;
    s = { offset: start, length: Math.max(0, end - start) };
  }
  if (tok.index !== undefined) s.index = tok.index;
  return s;
}

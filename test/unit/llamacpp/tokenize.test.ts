import * as assert from 'node:assert/strict';
import { tokenCharOffset, tokenizeArgs } from '../../../src/core/formats/llamacpp/tokenize';

/** The raw source text each token came from. */
function raws(input: string): string[] {
  return tokenizeArgs(input).tokens.map((t) => input.slice(t.offset, t.offset + t.length));
}
function values(input: string): string[] {
  return tokenizeArgs(input).tokens.map((t) => t.value);
}

describe('llamacpp/tokenize', () => {
  it('splits on any whitespace and keeps each token at its offset', () => {
    const input = '  -c 4096\t-np  4\n-fa on ';
    const { tokens } = tokenizeArgs(input);
    assert.deepEqual(tokens.map((t) => [t.value, t.offset, t.length]), [
      ['-c', 2, 2],
      ['4096', 5, 4],
      ['-np', 10, 3],
      ['4', 15, 1],
      ['-fa', 17, 3],
      ['on', 21, 2],
    ]);
    assert.ok(tokens.every((t) => t.charOffsets === undefined), 'plain tokens carry no per-char table');
  });

  it('removes single and double quotes but keeps the raw extent, quotes included', () => {
    const input = `-m '/models/my model.gguf' --chat-template "a b"`;
    assert.deepEqual(values(input), ['-m', '/models/my model.gguf', '--chat-template', 'a b']);
    assert.deepEqual(raws(input), ['-m', `'/models/my model.gguf'`, '--chat-template', '"a b"']);
  });

  it('maps every value character of a quoted token back to its source column', () => {
    const input = `x"ab"c`;
    const [tok] = tokenizeArgs(input).tokens;
    assert.equal(tok.value, 'xabc');
    assert.deepEqual([0, 1, 2, 3].map((i) => tokenCharOffset(tok, i)), [0, 2, 3, 5]);
  });

  it('handles backslash escapes outside quotes and the escapes double quotes allow', () => {
    assert.deepEqual(values(String.raw`a\ b "x\"y\\z" "keep\n" 'no\escape'`), ['a b', 'x"y\\z', 'keep\\n', 'no\\escape']);
  });

  it('keeps backslashes that escape nothing, so Windows paths survive', () => {
    assert.deepEqual(values(String.raw`-m C:\models\a.gguf -m "C:\models\b c.gguf" -m C:\\x`), ['-m', 'C:\\models\\a.gguf', '-m', 'C:\\models\\b c.gguf', '-m', 'C:\\x']);
  });

  it('treats backslash-newline as a line continuation (LF and CRLF), as llama-swap cmd blocks use it', () => {
    const lf = 'llama-server \\\n  -c 4096 \\\n  -np 4\n';
    assert.deepEqual(values(lf), ['llama-server', '-c', '4096', '-np', '4']);
    const crlf = 'llama-server \\\r\n  -c 4096\r\n';
    assert.deepEqual(values(crlf), ['llama-server', '-c', '4096']);
    const t = tokenizeArgs(crlf).tokens[2];
    assert.equal(crlf.slice(t.offset, t.offset + t.length), '4096');
  });

  it('joins a token split by a continuation in its middle', () => {
    const input = '--ctx-\\\nsize 1';
    const [tok] = tokenizeArgs(input).tokens;
    assert.equal(tok.value, '--ctx-size');
    assert.equal(tokenCharOffset(tok, 6), 8, '`s` sits after the continuation');
  });

  it('skips # comments that start a word, not # inside one', () => {
    const input = '# a comment -c 1\n-c 4096 # trailing\n--api-key a#b';
    assert.deepEqual(values(input), ['-c', '4096', '--api-key', 'a#b']);
  });

  it('reports an unterminated quote where it opens and keeps the rest as one token', () => {
    const input = `-m "/models/a b.gguf -c 1`;
    const r = tokenizeArgs(input);
    assert.deepEqual(r.unterminatedQuote, { offset: 3, quote: '"' });
    assert.equal(r.tokens[1].value, '/models/a b.gguf -c 1');
  });

  it('keeps ${macro} references literal', () => {
    assert.deepEqual(values('${llama} --port ${PORT}'), ['${llama}', '--port', '${PORT}']);
  });

  it('is linear: 200,000 flags tokenize quickly', () => {
    const input = '-c 4096 '.repeat(100_000);
    const t0 = process.hrtime.bigint();
    const n = tokenizeArgs(input).tokens.length;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(n, 200_000);
    assert.ok(ms < 2000, `took ${ms} ms`);
  });
});

// Splits a shell script into commands the way bash reads them, keeping the document offset of every character:
// `\`+newline joins lines, `#` at the start of a word comments out the rest of the line, `;` `&&` `||` `|` `&`
// and newlines end a command, quotes protect all of these. Two mistakes that silently change the command are
// reported: a `#` comment inside a continued command (the comment eats the line's `\`, so the command ends
// there and the following lines run as commands of their own), and a `\` followed by spaces at a line's end
// (it escapes the space, not the newline).

export interface ShellCommand {
  /** The command's text with continuations and comments removed. */
  text: string;
  /** Document offset of each character of `text`. */
  offsets: number[];
}

export interface ShellIssue {
  code: 'comment-in-continuation' | 'backslash-space';
  start: number;
  end: number;
}

export function splitShellCommands(src: string): { commands: ShellCommand[]; issues: ShellIssue[] } {
  const commands: ShellCommand[] = [];
  const issues: ShellIssue[] = [];
  let text = '';
  let offsets: number[] = [];
  let quote: '"' | "'" | undefined;
  let continued = false; // the current physical line continues a command
  const flush = (): void => {
    if (text.trim()) commands.push({ text, offsets });
    text = '';
    offsets = [];
  };
  const push = (c: string, at: number): void => {
    text += c;
    offsets.push(at);
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === '\\' && quote === '"' && src[i + 1] === '\n') {
        i++;
        continue;
      }
      // Quotes stay in the text (the tokenizer removes them); here they only protect separators and `#`.
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < src.length) {
        push(c, i);
        push(src[++i], i);
        continue;
      }
      push(c, i);
      continue;
    }
    if (c === '\\') {
      const next = src[i + 1];
      if (next === '\n' || (next === '\r' && src[i + 2] === '\n')) {
        i += next === '\r' ? 2 : 1;
        continued = true;
        push(' ', i);
        continue;
      }
      // `\` then spaces then the end of the line: the space is escaped, the newline still ends the command.
      const rest = /^[ \t]+(\r?\n|$)/.exec(src.slice(i + 1, i + 40));
      if (rest && /\S/.test(text)) issues.push({ code: 'backslash-space', start: i, end: i + 1 + rest[0].replace(/\r?\n$/, '').length });
      if (next !== undefined) {
        push(c, i);
        push(next, i + 1);
        i++;
      }
      continue;
    }
    if (c === '#' && (text.length === 0 || /\s/.test(text[text.length - 1]))) {
      const eol = src.indexOf('\n', i);
      const end = eol < 0 ? src.length : eol;
      const line = src.slice(i, end);
      // Inside a continued command, and the next line is indented more arguments: those are cut off.
      if (continued && /\S/.test(text)) {
        const after = src.slice(end + 1, end + 200);
        if (/^[ \t]+[-\w$"']/.test(after) || /\\\s*$/.test(line)) issues.push({ code: 'comment-in-continuation', start: i, end });
      }
      i = end - 1;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      push(c, i);
      continue;
    }
    if (c === '\n') {
      continued = false;
      flush();
      continue;
    }
    if (c === ';' || c === '|' || c === '&') {
      if (c === '&' && src[i + 1] === '>') {
        push(c, i);
        continue;
      }
      if ((c === '|' || c === '&') && src[i + 1] === c) i++;
      flush();
      continue;
    }
    push(c, i);
  }
  flush();
  return { commands, issues };
}

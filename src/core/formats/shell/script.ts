// Splits a shell script into commands the way bash reads them, keeping the document offset of every character:
// `\`+newline joins lines, `#` at the start of a word comments out the rest of the line, `;` `&&` `||` `|` `&`
// and newlines end a command, quotes protect all of these. Redirections (`> log`, `2>&1`, `&>> out`, `< in`)
// are the shell's, not the program's: they and their targets leave the command (a space keeps the offsets), and
// a here-document's lines (`<<EOF` … `EOF`) are its input, not commands. Two mistakes that silently change the command are
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

/**
 * A redirection operator at the start of a word: an optional file descriptor (`2`, `{fd}`) or `&`, then the
 * operator. Here-strings (`<<<`) and here-documents (`<<`, `<<-`) are told apart by the caller.
 */
const REDIRECT_RE = /^(?:[0-9]+|\{[A-Za-z_][A-Za-z0-9_]*\}|&)?(?:<<<|<<-|<<|>>|>&|<&|>\||<>|>|<)/;

/** The end of a shell word at `i` (quotes kept together), for a redirection's target. */
function wordEnd(src: string, i: number): number {
  let quote: string | undefined;
  for (; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '\\') i++;
    else if (c === '$' && (src[i + 1] === '(' || src[i + 1] === '{')) i = closing(src, i + 1);
    else if (c === '`') i = Math.max(i, src.indexOf('`', i + 1));
    else if (/[\s;&|<>()]/.test(c)) return i;
  }
  return i;
}

/** The offset of the bracket closing the one at `i` (`$(…)`, `$((…))`, `${…}` inside a word), or the text's end. */
function closing(src: string, i: number): number {
  const open = src[i];
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  for (; i < src.length; i++) {
    if (src[i] === open) depth++;
    else if (src[i] === close && --depth === 0) return i;
    else if (src[i] === '\n') return i - 1;
  }
  return src.length;
}

export function splitShellCommands(src: string): { commands: ShellCommand[]; issues: ShellIssue[] } {
  const commands: ShellCommand[] = [];
  const issues: ShellIssue[] = [];
  // Here-documents opened on the current line: their bodies start after its newline.
  const heredocs: { word: string; tabs: boolean }[] = [];
  let text = '';
  // Whether text is empty or ends in a space: kept here, since reading text's last character would flatten the
  // string being built on every character (a 130,000-option command took minutes).
  let atWordStart = true;
  let offsets: number[] = [];
  let quote: '"' | "'" | undefined;
  let continued = false; // the current physical line continues a command
  const flush = (): void => {
    if (text.trim()) commands.push({ text, offsets });
    text = '';
    atWordStart = true;
    offsets = [];
  };
  const push = (c: string, at: number): void => {
    text += c;
    atWordStart = c === ' ' || c === '\t' || c === '\n' || c === '\r';
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
    if (c === '#' && atWordStart) {
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
      // The bodies of here-documents opened on this line, up to their delimiter lines: input, not commands.
      while (heredocs.length) {
        const h = heredocs.shift()!;
        let at = i + 1;
        for (;;) {
          const eol = src.indexOf('\n', at);
          const line = src.slice(at, eol < 0 ? src.length : eol).replace(/\r$/, '');
          if ((h.tabs ? line.replace(/^\t+/, '') : line) === h.word || eol < 0) {
            i = eol < 0 ? src.length : eol;
            break;
          }
          at = eol + 1;
        }
      }
      continue;
    }
    // `>` and `<` are operators anywhere outside quotes (`a>b` too); a descriptor (`2>`, `{fd}>`) or `&>` only
    // at a word's start. `<(…)` and `>(…)` are process substitutions, words of their own.
    const wordStart = atWordStart;
    if (((c === '>' || c === '<') && src[i + 1] !== '(') || (wordStart && (c === '&' || c === '{' || (c >= '0' && c <= '9')))) {
      const m = REDIRECT_RE.exec(src.slice(i, i + 40));
      if (m && !(m[0] === '&' || /^[0-9]+$/.test(m[0]))) {
        const op = m[0].replace(/^(?:[0-9]+|\{[^}]*\}|&(?=[<>]))/, '');
        let j = i + m[0].length;
        if ((op === '>&' || op === '<&') && /^(?:[0-9]+-?|-)(?![^\s;&|<>()])/.test(src.slice(j, j + 12))) {
          // `2>&1`, `>&2`, `<&-`: a descriptor, not a file.
          j += /^[0-9]*-?/.exec(src.slice(j, j + 12))![0].length;
        } else {
          while (src[j] === ' ' || src[j] === '\t') j++;
          const end = wordEnd(src, j);
          if (op === '<<' || op === '<<-') {
            const word = src.slice(j, end).replace(/["'\\]/g, '');
            if (word) heredocs.push({ word, tabs: op === '<<-' });
          }
          j = end;
        }
        // The redirection leaves the command; a space in its place keeps the words apart and the offsets right.
        push(' ', i);
        i = j - 1;
        continue;
      }
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

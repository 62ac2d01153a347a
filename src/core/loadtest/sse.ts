// Incremental Server-Sent Events parser (WHATWG HTML §9.2 "event stream interpretation"), enough for the OpenAI
// streaming APIs: `data:` lines (several per event are joined with "\n"), `event:` names, comments (`:`) ignored,
// events end at a blank line, lines end at LF, CRLF or CR. Pure: bytes in, events out, so the HTTP client and the
// tests share it. A line longer than `maxLineBytes` is an error, never an unbounded buffer (a hostile or broken
// server cannot make the client hold gigabytes).
import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  event?: string;
  data: string;
}

export class SseError extends Error {}

export class SseParser {
  private readonly decoder = new StringDecoder('utf8');
  private buf = '';
  private data: string[] = [];
  private event: string | undefined;
  private sawCR = false;
  /** Bytes seen that were not part of any `data:`/`event:`/comment line, e.g. an HTML error page. */
  strayLines = 0;

  constructor(private readonly onEvent: (e: SseEvent) => void, private readonly maxLineBytes = 4 << 20) {}

  push(chunk: Buffer | string): void {
    let s = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (!s) return;
    // A CR at the end of the previous chunk followed by LF here is one CRLF line break.
    if (this.sawCR && s.charCodeAt(0) === 10) s = s.slice(1);
    this.sawCR = s.length > 0 && s.charCodeAt(s.length - 1) === 13;
    let text = this.buf + s;
    let start = 0;
    for (;;) {
      const lf = text.indexOf('\n', start);
      const cr = text.indexOf('\r', start);
      let end: number;
      let next: number;
      if (lf < 0 && cr < 0) break;
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        end = cr;
        next = text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
      } else {
        end = lf;
        next = lf + 1;
      }
      this.line(text.slice(start, end));
      start = next;
    }
    text = text.slice(start);
    if (text.length > this.maxLineBytes) throw new SseError(`an event-stream line longer than ${this.maxLineBytes} bytes`);
    this.buf = text;
  }

  /** End of stream: a final event without its blank line is still delivered (servers that close early). */
  end(): void {
    const rest = this.buf + this.decoder.end();
    this.buf = '';
    if (rest) this.line(rest);
    this.dispatch();
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.charCodeAt(0) === 58 /* : */) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field !== 'id' && field !== 'retry') this.strayLines++;
  }

  private dispatch(): void {
    if (this.data.length === 0) { this.event = undefined; return; }
    const e: SseEvent = { data: this.data.length === 1 ? this.data[0]! : this.data.join('\n') };
    if (this.event !== undefined) e.event = this.event;
    this.data = [];
    this.event = undefined;
    this.onEvent(e);
  }
}

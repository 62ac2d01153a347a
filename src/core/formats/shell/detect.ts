// A shell script is ours when its sniffed head runs a serve command (one regex, no parse).
// A program path may start with a variable or a quote (`"$LLAMA_DIR/build/bin/llama-server"`).
const SERVE_RE = /(?:^|[\s;&|(`"'])(?:vllm\s+serve\b|-m\s+vllm\.entrypoints\.(?:openai\.)?api_server\b|(?:[\w./${}-]*\/)?llama-server(?:\.exe)?\b|-m\s+sglang\.launch_server\b)/m;

export function looksLikeServeScript(head: string): boolean {
  return SERVE_RE.test(head);
}

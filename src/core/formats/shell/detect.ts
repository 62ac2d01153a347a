// A shell script is ours when its sniffed head runs a serve command (one regex, no parse).
// A program path may start with a variable or a quote (`"$LLAMA_DIR/build/bin/llama-server"`).
const SERVE_RE = /(?:^|[\s;&|(`"'])(?:vllm\s+serve\b|-m\s+vllm\.entrypoints\.(?:openai\.)?api_server\b|(?:[\w./${}-]*\/)?llama-server(?:\.exe)?\b|-m\s+sglang\.launch_server\b)/m;

/** `docker run … vllm/vllm-openai …` or a llama.cpp server image, the image maybe a few continued lines on. */
const CONTAINER_RE = /\b(?:docker|podman)[ \t]+(?:container[ \t]+)?run\b[^\n]{0,400}(?:\\\r?\n[^\n]{0,400}){0,30}?(?:vllm[-_]?openai|vllm\/vllm|llama\.cpp:server)/;

export function looksLikeServeScript(head: string): boolean {
  return SERVE_RE.test(head) || CONTAINER_RE.test(head);
}

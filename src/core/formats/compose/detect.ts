// A docker-compose file is ours only when a service runs an LLM server image or serve command (bounded regexes
// over the sniffed head; a compose file of other services is left alone).
const SERVER_RE = /^[ \t]+image:[ \t]*["']?[^\s"']*(?:vllm[-_]?openai|vllm\/vllm|llama\.cpp:server|sglang)|vllm\s+serve\b|vllm["']?[ \t]*,[ \t]*["']?serve\b|-[ \t]+["']?vllm["']?[ \t]*\r?\n[ \t]*-[ \t]+["']?serve\b|llama-server\b|sglang\.launch_server\b|vllm\.entrypoints/m;

export function looksLikeComposeWithServer(head: string): boolean {
  return /^services[ \t]*:/m.test(head) && SERVER_RE.test(head);
}

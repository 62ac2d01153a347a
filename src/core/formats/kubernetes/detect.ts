// A Kubernetes manifest is ours only when a workload's container runs an LLM server (bounded regexes over the
// sniffed head; manifests of other apps are left alone).
const WORKLOAD_RE = /^kind:[ \t]*(?:Deployment|StatefulSet|Pod|LeaderWorkerSet|DaemonSet|Job|ReplicaSet)\b/m;
// `vllm serve` also as list items: `command: ["vllm", "serve"]`, or `- vllm` then `- serve`.
const SERVER_RE = /vllm\s+serve\b|vllm["']?[ \t]*,[ \t]*["']?serve\b|-[ \t]+["']?vllm["']?[ \t]*\r?\n[ \t]*-[ \t]+["']?serve\b|vllm\.entrypoints|llama-server\b|sglang\.launch_server\b|image:[ \t]*["']?[^\s"']*(?:vllm[-_]?openai|vllm\/vllm|llama\.cpp:server)/;

export function looksLikeKubernetesWithServer(head: string): boolean {
  return WORKLOAD_RE.test(head) && SERVER_RE.test(head);
}

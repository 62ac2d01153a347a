// What is behind the URL: the engine (from /v1/models' owned_by, /props, /version, /info, /api/version), its model,
// its slots, and whether /metrics answers in a dialect we read. Every probe is a bounded GET to the same origin;
// a probe that fails only means "not this engine" (404s are expected).
import { parsePrometheus } from '../../core/loadtest/prometheus';
import { dialectOf, type MetricsDialect } from '../../core/loadtest/serverTruth';
import type { ServerKind } from '../../core/loadtest/types';
import type { Endpoint } from './endpoint';

export interface ServerInfo {
  kind: ServerKind;
  version?: string;
  model?: string;
  models: string[];
  slots?: number;
  metrics?: MetricsDialect;
  slotsEndpoint: boolean;
  notes: string[];
}

async function getJson(ep: Endpoint, path: string): Promise<unknown> {
  try {
    const r = await ep.get(path, { timeoutMs: 5000, maxBytes: 1 << 20 });
    if (r.status !== 200) return undefined;
    return JSON.parse(r.body);
  } catch {
    return undefined;
  }
}

const obj = (x: unknown): Record<string, unknown> | undefined => (x && typeof x === 'object' && !Array.isArray(x) ? x as Record<string, unknown> : undefined);

export async function detectServer(ep: Endpoint): Promise<ServerInfo> {
  const info: ServerInfo = { kind: 'openai-compatible', models: [], slotsEndpoint: false, notes: [] };
  const models = obj(await getJson(ep, '/v1/models'));
  const data = Array.isArray(models?.data) ? (models!.data as unknown[]).map(obj).filter(Boolean) as Record<string, unknown>[] : [];
  info.models = data.map((m) => String(m.id ?? '')).filter(Boolean);
  info.model = info.models[0];
  const owner = String(data[0]?.owned_by ?? '');
  if (/llama/i.test(owner)) info.kind = 'llama-server';
  else if (/vllm/i.test(owner)) info.kind = 'vllm';
  else if (/sglang/i.test(owner)) info.kind = 'sglang';
  if (!info.models.length) info.notes.push('/v1/models listed no model; requests are sent without a model name');

  const props = obj(await getJson(ep, '/props'));
  if (props && ('total_slots' in props || 'default_generation_settings' in props)) {
    info.kind = 'llama-server';
    if (typeof props.total_slots === 'number') info.slots = props.total_slots;
    if (typeof props.build_info === 'string') info.version = props.build_info;
  }
  if (info.kind !== 'llama-server') {
    const version = obj(await getJson(ep, '/version'));
    if (typeof version?.version === 'string') {
      info.version = version.version;
      if (info.kind === 'openai-compatible') info.kind = 'vllm';
    }
    const tgi = obj(await getJson(ep, '/info'));
    if (tgi && typeof tgi.model_id === 'string' && 'max_concurrent_requests' in tgi) {
      info.kind = 'tgi';
      if (typeof tgi.version === 'string') info.version = tgi.version;
    }
    const ollama = obj(await getJson(ep, '/api/version'));
    if (ollama && typeof ollama.version === 'string' && info.kind === 'openai-compatible') { info.kind = 'ollama'; info.version = ollama.version; }
  }
  try {
    const m = await ep.get('/metrics', { timeoutMs: 5000, maxBytes: 16 << 20 });
    if (m.status === 200) {
      const d = dialectOf(parsePrometheus(m.body));
      info.metrics = d;
      if (d === 'unknown') info.notes.push('/metrics answers, but with no vllm:, sglang: or llamacpp: series');
    } else if (info.kind === 'llama-server') info.notes.push('llama-server was started without --metrics: no server-side counters');
  } catch { /* no metrics */ }
  if (info.kind === 'llama-server') {
    const slots = await getJson(ep, '/slots');
    info.slotsEndpoint = Array.isArray(slots);
  }
  return info;
}

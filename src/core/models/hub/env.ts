// Where the Hub is and how to reach it, the way Hugging Face's own tools decide (huggingface_hub constants.py;
// llama.cpp common/hf-cache.cpp get_cache_directory and common_get_model_endpoint at de3ff815):
//   endpoint  HF_ENDPOINT (llama.cpp also reads MODEL_ENDPOINT), else https://huggingface.co
//   token     HF_TOKEN (legacy HUGGING_FACE_HUB_TOKEN), else the file HF_TOKEN_PATH, else $HF_HOME/token
//             ($HF_HOME defaults to $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface)
//   offline   HF_HUB_OFFLINE=1 (any of 1/ON/YES/TRUE)
//   HF cache  HF_HUB_CACHE (legacy HUGGINGFACE_HUB_CACHE), else $HF_HOME/hub
// KV Lens adds: a machine/application-scoped endpoint and token file (never a workspace setting: a workspace file
// must not be able to send your token to another host), a switch that turns network resolution off, and its own
// cache of what it read under the KV Lens cache folder.
import * as os from 'node:os';
import * as path from 'node:path';

export interface HubSettings {
  /** kvlens.hub.endpoint (machine scope); HF_ENDPOINT wins when set. */
  endpoint?: string;
  /** kvlens.hub.tokenFile (machine scope): a file holding the token, like HF_TOKEN_PATH. */
  tokenFile?: string;
  /** kvlens.hub.network (false: resolve from caches only). */
  network?: boolean;
  /** False in an untrusted workspace: caches only, no request. */
  trusted?: boolean;
}

export interface HubEnvironment {
  endpoint: string;
  /** Where the endpoint came from, for `kvlens models resolve`. */
  endpointSource: string;
  /** The token itself is never logged or stored; only where it came from. */
  token?: string;
  tokenSource?: string;
  /** Why no request may be made (offline env, setting, untrusted workspace), or undefined when online. */
  offlineReason?: string;
  hfHome: string;
  hfHubCache: string;
  /** KV Lens's own cache of Hub reads. */
  kvlensCache: string;
}

const truthy = (v: string | undefined): boolean => !!v && /^(1|on|yes|true)$/i.test(v.trim());

/** The XDG cache folder (~/.cache) as KV Lens and huggingface_hub use it. */
export function cacheHome(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  return env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, '.cache');
}

/** Everything the Hub client needs, from the environment and machine-level settings. `readFile` reads the token file. */
export function hubEnvironment(settings: HubSettings = {}, env: NodeJS.ProcessEnv = process.env, readFile?: (p: string) => string | undefined, home = os.homedir()): HubEnvironment {
  const hfHome = env.HF_HOME ? path.resolve(env.HF_HOME) : path.join(cacheHome(env, home), 'huggingface');
  const hfHubCache = env.HF_HUB_CACHE ? path.resolve(env.HF_HUB_CACHE) : env.HUGGINGFACE_HUB_CACHE ? path.resolve(env.HUGGINGFACE_HUB_CACHE) : path.join(hfHome, 'hub');
  let endpoint = 'https://huggingface.co';
  let endpointSource = 'default';
  if (env.HF_ENDPOINT) {
    endpoint = env.HF_ENDPOINT;
    endpointSource = 'HF_ENDPOINT';
  } else if (env.MODEL_ENDPOINT) {
    endpoint = env.MODEL_ENDPOINT;
    endpointSource = 'MODEL_ENDPOINT';
  } else if (settings.endpoint) {
    endpoint = settings.endpoint;
    endpointSource = 'kvlens.hub.endpoint';
  }
  endpoint = endpoint.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/i.test(endpoint)) {
    endpointSource = `${endpointSource} (ignored: not an http(s) URL)`;
    endpoint = 'https://huggingface.co';
  }
  let token: string | undefined;
  let tokenSource: string | undefined;
  if (env.HF_TOKEN?.trim()) {
    token = env.HF_TOKEN.trim();
    tokenSource = 'HF_TOKEN';
  } else if (env.HUGGING_FACE_HUB_TOKEN?.trim()) {
    token = env.HUGGING_FACE_HUB_TOKEN.trim();
    tokenSource = 'HUGGING_FACE_HUB_TOKEN';
  } else if (readFile) {
    const candidates: [string, string][] = [];
    if (env.HF_TOKEN_PATH) candidates.push([path.resolve(env.HF_TOKEN_PATH), 'HF_TOKEN_PATH']);
    if (settings.tokenFile) candidates.push([path.resolve(settings.tokenFile), 'kvlens.hub.tokenFile']);
    candidates.push([path.join(hfHome, 'token'), `${path.join(hfHome, 'token')} (huggingface-cli login)`]);
    for (const [p, src] of candidates) {
      const t = readFile(p)?.trim();
      if (t) {
        token = t;
        tokenSource = src;
        break;
      }
    }
  }
  let offlineReason: string | undefined;
  if (truthy(env.HF_HUB_OFFLINE)) offlineReason = 'HF_HUB_OFFLINE is set';
  else if (settings.network === false) offlineReason = 'kvlens.hub.network is off';
  else if (settings.trusted === false) offlineReason = 'the workspace is not trusted (caches only)';
  const kvlensCache = path.join(cacheHome(env, home), 'kvlens', 'hub');
  return { endpoint, endpointSource, token, tokenSource, offlineReason, hfHome, hfHubCache, kvlensCache };
}

/** A short, stable folder name for an endpoint, so a mirror's answers never mix with huggingface.co's. */
export function endpointKey(endpoint: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < endpoint.length; i++) {
    h ^= endpoint.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const host = endpoint.replace(/^https?:\/\//i, '').replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 40);
  return `${host}-${h.toString(16).padStart(8, '0')}`;
}

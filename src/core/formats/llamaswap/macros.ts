// llama-swap's macro pass over the whole config, as internal/config/macros.go does it before the typed decode:
// global macros in every top-level value, model macros (over the globals) plus ${MODEL_ID} in every value of a
// model, ${PORT} in models whose cmd asks for one (ports handed out in sorted model-id order from startPort).
// A value that is exactly `${name}` takes the macro's own type (`ttl: ${ttl}` with `ttl: 60` is the integer
// 60), so the schema is checked on the expanded value, as llama-swap checks it. `${env.X}` is left as written:
// the environment of the server is not known here.
// Also reports what macros.go refuses: unknown macros in any value of a known key, a proxy that uses ${PORT}
// while the cmd does not.

/** A finding at a JSON path of the config (mapped to a range by the caller). */
export interface MacroFinding {
  path: (string | number)[];
  severity: 'error' | 'warning' | 'information';
  code: string;
  message: string;
}

type Scalar = string | number | boolean;
type MacroList = [string, Scalar][];

const MACRO_RE = /\$\{([a-zA-Z0-9_-]+)\}/g;
const ENV_RE = /\$\{env\.([a-zA-Z_][a-zA-Z0-9_]*)\}/g;
export const DEFAULT_START_PORT = 5800;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function macroList(v: unknown): MacroList {
  const out: MacroList = [];
  if (!isRecord(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.push([k, x]);
  return out;
}

/**
 * One macro into a value tree; macros.go applies the list last-to-first, so earlier macros see later ones.
 * Only strings that hold `${` are touched, and a subtree without one is returned as it is (no copy).
 */
function substitute(value: unknown, name: string, macro: Scalar): unknown {
  const slug = '${' + name + '}';
  if (typeof value === 'string') {
    if (!value.includes(slug)) return value;
    if (value === slug) return macro;
    return value.split(slug).join(String(macro));
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = substitute(value[i], name, macro);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (isRecord(value)) {
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(value)) {
      const v = substitute(value[k], name, macro);
      if (v !== value[k]) (out ??= { ...value })[k] = v;
    }
    return out ?? value;
  }
  return value;
}

/** Whether a value tree holds a `${` anywhere (most models' values beyond cmd do not). */
function hasMacro(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${');
  if (Array.isArray(value)) return value.some(hasMacro);
  if (isRecord(value)) return Object.values(value).some(hasMacro);
  return false;
}

function substituteAll(value: unknown, macros: MacroList): unknown {
  if (!hasMacro(value)) return value;
  let v = value;
  for (let i = macros.length - 1; i >= 0; i--) {
    v = substitute(v, macros[i][0], macros[i][1]);
    if (!hasMacro(v)) break;
  }
  return v;
}

/** Lines of a cmd that start with `#` are comments in llama-swap (StripComments): macros there are not used. */
function stripComments(s: string): string {
  if (!s.includes('#')) return s;
  return s.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
}

export interface ExpandedConfig {
  value: unknown;
  findings: MacroFinding[];
  /** ${PORT} given to each model that uses it. */
  ports: Map<string, number>;
}

/** Known top-level keys (the schema's), whose values macros.go checks for unresolved macros. */
export function expandLlamaSwapMacros(config: unknown, knownTopKeys: ReadonlySet<string>): ExpandedConfig {
  const findings: MacroFinding[] = [];
  const ports = new Map<string, number>();
  if (!isRecord(config)) return { value: config, findings, ports };
  const globals = macroList(config.macros);
  const envSeen = new Set<string>();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === 'macros' || k === 'models') out[k] = v;
    else out[k] = substituteAll(v, globals);
  }
  const startPort = typeof out.startPort === 'number' && Number.isInteger(out.startPort) ? out.startPort : DEFAULT_START_PORT;
  const models = config.models;
  if (isRecord(models)) {
    const expandedModels: Record<string, unknown> = {};
    let nextPort = startPort;
    for (const id of Object.keys(models).sort()) {
      const model = models[id];
      if (!isRecord(model)) {
        expandedModels[id] = model;
        continue;
      }
      const own = macroList(model.macros);
      const merged: MacroList = [['MODEL_ID', id], ...globals];
      for (const [n, v] of own) {
        const at = merged.findIndex(([m]) => m === n);
        if (at >= 0) merged[at] = [n, v];
        else merged.push([n, v]);
      }
      // The model as llama-swap expands it: without its `macros`, with comment lines of cmd/cmdStop gone and a
      // `proxy: null` left out (llama-swap reads it as unset: the default proxy). A model that has none of these is
      // used as it is (no copy: a file can have 75,000 models), and is never changed here.
      const commented = (v: unknown): boolean => typeof v === 'string' && v.includes('#');
      let body: Record<string, unknown> = model;
      if (model.macros !== undefined || model.proxy === null || commented(model.cmd) || commented(model.cmdStop)) {
        body = {};
        for (const [k, v] of Object.entries(model)) {
          if (k === 'macros' || (k === 'proxy' && v === null)) continue;
          body[k] = (k === 'cmd' || k === 'cmdStop') && typeof v === 'string' ? stripComments(v) : v;
        }
      }
      // llama-swap's default proxy, expanded with the model's macros like a value of its own (it is not written
      // into the model: the expanded model keeps what the user wrote).
      const defaultProxy = model.proxy === undefined || model.proxy === null;
      let resolved = substituteAll(body, merged) as Record<string, unknown>;
      const cmd = typeof resolved.cmd === 'string' ? resolved.cmd : '';
      const proxyValue = defaultProxy ? substituteAll('http://localhost:${PORT}', merged) : resolved.proxy;
      const proxy = typeof proxyValue === 'string' ? proxyValue : '';
      const cmdPort = cmd.includes('${PORT}');
      if (cmdPort || proxy.includes('${PORT}')) {
        if (!cmdPort) {
          const explicit = model.proxy !== undefined && model.proxy !== null;
          findings.push({
            path: explicit ? ['models', id, 'proxy'] : ['models', id],
            severity: 'error',
            code: 'port-without-cmd',
            message: explicit
              ? `llama-swap refuses this config: model ${id}'s proxy uses \${PORT} but its cmd does not ("\${PORT} is only available when used in cmd").`
              : `Model \`${id}\` has no \`proxy\` and its cmd does not use \${PORT}: llama-swap's default proxy is http://localhost:\${PORT}, so it refuses the config ("proxy uses \${PORT} but cmd does not"). Set \`proxy\` to the server's address, or start the server on \${PORT}.`,
          });
        } else {
          ports.set(id, nextPort);
          resolved = substitute(resolved, 'PORT', nextPort) as Record<string, unknown>;
          nextPort++;
        }
      }
      if (model.macros !== undefined) resolved = { ...resolved, macros: model.macros };
      for (const [k, v] of Object.entries(resolved)) unresolved(v, ['models', id, k], k === 'cmdStop', findings, envSeen);
      expandedModels[id] = resolved;
    }
    out.models = expandedModels;
  }
  for (const [k, v] of Object.entries(out)) {
    if (k === 'models' || k === 'macros' || !knownTopKeys.has(k)) continue;
    unresolved(v, [k], false, findings, envSeen);
  }
  return { value: out, findings, ports };
}

/** Macros left after expansion: llama-swap refuses the config (macros.go validateMacroUses). */
function unresolved(value: unknown, path: (string | number)[], allowPid: boolean, findings: MacroFinding[], envSeen: Set<string>): void {
  if (typeof value === 'string') {
    if (!value.includes('${')) return;
    for (const m of value.matchAll(MACRO_RE)) {
      if (m[1] === 'PID' && allowPid) continue;
      // cmd's own unknown macros are reported on the reference by the cmd analysis, with a suggestion.
      if (path.length === 3 && path[0] === 'models' && path[2] === 'cmd') return;
      findings.push({
        path,
        severity: 'error',
        code: 'unknown-macro',
        message: `Macro \`\${${m[1]}}\` is not defined in \`macros\` (globally or for this model); llama-swap would refuse the config.`,
      });
      return;
    }
    for (const m of value.matchAll(ENV_RE)) {
      // Once per variable: a config uses ${env.HOME} in many places.
      if (envSeen.has(m[1])) continue;
      envSeen.add(m[1]);
      findings.push({
        path,
        severity: 'information',
        code: 'env-macro',
        message: `\`\${env.${m[1]}}\` is read from the environment when llama-swap loads the config; it refuses to start if ${m[1]} is not set there.`,
      });
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((x, i) => unresolved(x, [...path, i], allowPid, findings, envSeen));
  else if (isRecord(value)) for (const [k, x] of Object.entries(value)) unresolved(x, [...path, k], allowPid, findings, envSeen);
}

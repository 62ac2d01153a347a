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
/** A macro and its `${name}` spelling (made once, not per string it is looked for in). */
interface Macro {
  name: string;
  value: Scalar;
  slug: string;
}
type MacroList = Macro[];

const MACRO_RE = /\$\{([a-zA-Z0-9_-]+)\}/g;
const ENV_RE = /\$\{env\.([a-zA-Z_][a-zA-Z0-9_]*)\}/g;
export const DEFAULT_START_PORT = 5800;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function macro(name: string, value: Scalar): Macro {
  return { name, value, slug: '${' + name + '}' };
}

function macroList(v: unknown): MacroList {
  const out: MacroList = [];
  if (!isRecord(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.push(macro(k, x));
  return out;
}

/**
 * Macros into a value tree. macros.go applies the list to the whole config one macro after another, last to
 * first (so earlier macros see later ones); a string only ever changes by its own text, so that is the same as
 * applying the list to each string in turn, which is one walk. A string that is exactly `${name}` becomes the
 * macro's own value (a number stays a number). Only strings that hold `${` are touched, and a subtree without
 * one is returned as it is (no copy).
 */
function substituteAll(value: unknown, macros: MacroList): unknown {
  if (typeof value === 'string') return value.includes('${') ? substituteString(value, macros) : value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = substituteAll(value[i], macros);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (isRecord(value)) {
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(value)) {
      const v = substituteAll(value[k], macros);
      if (v !== value[k]) (out ??= { ...value })[k] = v;
    }
    return out ?? value;
  }
  return value;
}

function substituteString(s: string, macros: MacroList): Scalar {
  let v: Scalar = s;
  for (let i = macros.length - 1; i >= 0 && typeof v === 'string' && v.includes('${'); i--) {
    const { slug } = macros[i];
    if (!v.includes(slug)) continue;
    v = v === slug ? macros[i].value : v.split(slug).join(String(macros[i].value));
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
      const merged: MacroList = [macro('MODEL_ID', id), ...globals];
      for (const m of own) {
        const at = merged.findIndex((x) => x.name === m.name);
        if (at >= 0) merged[at] = m;
        else merged.push(m);
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
          resolved = substituteAll(resolved, [macro('PORT', nextPort)]) as Record<string, unknown>;
          nextPort++;
        }
      }
      if (model.macros !== undefined) resolved = { ...resolved, macros: model.macros };
      // Macro declarations are definitions, not substitution targets: macros.go detaches them before it expands
      // and validates (a model macro `${models_dir}/x.gguf` that uses a global is expanded where it is used).
      const written = typeof model.cmd === 'string' ? model.cmd : undefined;
      for (const k of Object.keys(resolved)) if (k !== 'macros') unresolved(resolved[k], ['models', id, k], k === 'cmdStop', findings, envSeen, written);
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

/**
 * Macros left after expansion: llama-swap refuses the config (macros.go validateMacroUses). `path` is where
 * `value` is; it grows and shrinks as the walk goes (copied only into a finding).
 */
function unresolved(value: unknown, path: (string | number)[], allowPid: boolean, findings: MacroFinding[], envSeen: Set<string>, writtenCmd?: string): void {
  if (typeof value === 'string') {
    if (!value.includes('${')) return;
    for (const m of value.matchAll(MACRO_RE)) {
      if (m[1] === 'PID' && allowPid) continue;
      // cmd's own unknown macros are reported on the reference by the cmd analysis, with a suggestion; one that a
      // macro's value brings (`p: "${nowhere}/x.gguf"`) is reported here.
      const inCmd = path.length === 3 && path[0] === 'models' && path[2] === 'cmd';
      if (inCmd && writtenCmd?.includes(m[0])) continue;
      findings.push({
        path: path.slice(),
        severity: 'error',
        code: 'unknown-macro',
        message: `Macro \`\${${m[1]}}\` is not defined in \`macros\` (globally or for this model)${inCmd ? ', and a macro used in this cmd uses it' : ''}; llama-swap would refuse the config.`,
      });
      return;
    }
    for (const m of value.matchAll(ENV_RE)) {
      // Once per variable: a config uses ${env.HOME} in many places.
      if (envSeen.has(m[1])) continue;
      envSeen.add(m[1]);
      findings.push({
        path: path.slice(),
        severity: 'information',
        code: 'env-macro',
        message: `\`\${env.${m[1]}}\` is read from the environment when llama-swap loads the config; it refuses to start if ${m[1]} is not set there.`,
      });
    }
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      unresolved(value[i], path, allowPid, findings, envSeen);
      path.pop();
    }
  } else if (isRecord(value)) {
    for (const k of Object.keys(value)) {
      path.push(k);
      unresolved(value[k], path, allowPid, findings, envSeen);
      path.pop();
    }
  }
}

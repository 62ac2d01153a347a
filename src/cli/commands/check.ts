// `kvlens check [--format text|json] [--as FORMAT] [--format-of GLOB=FORMAT]... <files...>` — the same checks
// as the editor, for CI. Text: `path:line:col: severity: message [code]` (1-based, problem-matcher friendly).
// JSON: [{file, format, diagnostics: [{severity, code, message, range}]}] with 0-based LSP ranges.
// Exit (io.ts contract): 0 clean (warnings allowed), 1 any error, 2 usage or I/O failure (missing file, folder,
// special or oversized file, unknown format) — the other files are still checked.
import * as path from 'node:path';
import type { ConfigFormat } from '../../core/deployment';
import type { KvDiagnostic } from '../../core/diagnostics';
import { analyzeText } from '../../core/formats/analyze';
import { CONFIG_FORMATS, detectFormat } from '../../core/formats/detect';
import { LineIndex } from '../../core/formats/document';
import { createModelResolver } from '../../core/models/resolve';
import { InputError, LIMITS, namedOnPurpose, readInput } from '../../core/io';
import { type CliIO, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError } from '../io';
import { llamaBuildArg, versionOptionsHelp, vllmVersionArg } from '../engineVersions';

export const HELP = `Usage: kvlens check [options] <files...>

Validates KV Lens profiles (*.kvlens.yaml|yml|json), vLLM \`vllm serve --config\` files (*vllm*.yaml|yml|json)
and llama-swap configs (*llama-swap*.yaml|yml): schema, llama.cpp flags and semantic rules.

Options:
  --format text|json         output format (default text: path:line:col: severity: message [code])
  --as FORMAT                treat every file as FORMAT: profile, vllm or llama-swap
  --format-of GLOB=FORMAT    treat files matching GLOB as FORMAT (repeatable), e.g. --format-of 'deploy/*.yaml=vllm'
  --no-models                do not read model files or the catalog (skips model-dependent rules)
${versionOptionsHelp(29)}  -h, --help                 show this help

Exit status: 0 no errors, 1 errors found, 2 usage or I/O failure (a file missing, not a regular file, over
4 MiB or unreadable: the other files are still checked), 3 internal error. A file given as - or /dev/stdin is
read from standard input (with --as).
`;

const FORMAT_ALIASES: Record<string, ConfigFormat> = {
  profile: 'kvlens-profile',
  'kvlens-profile': 'kvlens-profile',
  kvlens: 'kvlens-profile',
  vllm: 'vllm',
  'llama-swap': 'llama-swap',
  llamaswap: 'llama-swap',
  shell: 'shell',
  sh: 'shell',
  compose: 'docker-compose',
  'docker-compose': 'docker-compose',
  kubernetes: 'kubernetes',
  k8s: 'kubernetes',
};

function formatName(s: string): ConfigFormat {
  const f = FORMAT_ALIASES[s.toLowerCase()];
  if (!f) throw new UsageError(`unknown format '${s}' (use profile, vllm or llama-swap)`);
  return f;
}

export interface CheckArgs {
  output: 'text' | 'json';
  as?: ConfigFormat;
  associations: Record<string, ConfigFormat>;
  models: boolean;
  files: string[];
  help: boolean;
  vllmVersion?: string;
  llamaBuild?: string;
}

export function parseCheckArgs(args: string[]): CheckArgs {
  const out: CheckArgs = { output: 'text', associations: {}, models: true, files: [], help: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (name: string): string => {
      const eq = a.indexOf('=');
      if (a.startsWith('--') && eq > 0) return a.slice(eq + 1);
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (a === '--') {
      out.files.push(...args.slice(i + 1));
      break;
    } else if (a === '-h' || a === '--help') out.help = true;
    else if (a === '--format' || a.startsWith('--format=')) {
      const v = value('--format');
      if (v !== 'text' && v !== 'json') throw new UsageError(`--format must be text or json, not '${v}'`);
      out.output = v;
    } else if (a === '--as' || a.startsWith('--as=')) out.as = formatName(value('--as'));
    else if (a === '--format-of' || a.startsWith('--format-of=')) {
      const v = value('--format-of');
      const eq = v.lastIndexOf('=');
      if (eq <= 0) throw new UsageError(`--format-of wants GLOB=FORMAT, e.g. 'deploy/*.yaml=vllm'; got '${v}'`);
      out.associations[v.slice(0, eq)] = formatName(v.slice(eq + 1));
    } else if (a === '--vllm-version' || a.startsWith('--vllm-version=')) out.vllmVersion = vllmVersionArg(value('--vllm-version'));
    else if (a === '--llama-build' || a.startsWith('--llama-build=')) out.llamaBuild = llamaBuildArg(value('--llama-build'));
    else if (a === '--no-models') out.models = false;
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}' (see kvlens check --help)`);
    else out.files.push(a);
  }
  return out;
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
export function invalidUtf8Offset(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n = 0;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) n = 2;
    else if (c >= 0xf0 && c <= 0xf4) n = 3;
    else return i;
    if (i + n >= b.length + (n ? 0 : 1)) return i;
    for (let k = 1; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    if (n === 2 && ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] > 0x9f))) return i; // overlong / surrogates
    if (n === 3 && ((c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] > 0x8f))) return i;
    i += n + 1;
  }
  return -1;
}

export interface FileResult {
  file: string;
  format: ConfigFormat | null;
  diagnostics: KvDiagnostic[];
}

/** Decodes the bytes as UTF-8, or returns a diagnostic at the first NUL or invalid byte. */
export function decodeConfig(bytes: Buffer): { text: string } | { diagnostic: KvDiagnostic } {
  const nul = bytes.indexOf(0);
  const bad = invalidUtf8Offset(bytes);
  const at = nul >= 0 && (bad < 0 || nul < bad) ? nul : bad;
  if (at < 0) {
    let text = bytes.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text };
  }
  const before = bytes.subarray(0, at).toString('utf8');
  const lines = new LineIndex(before);
  const pos = lines.position(before.length);
  const isNul = at === nul;
  return {
    diagnostic: {
      severity: 'error',
      code: isNul ? 'binary-file' : 'invalid-utf8',
      message: isNul
        ? `This file contains a NUL byte (at byte ${at}): it is binary, not a YAML/JSON config; nothing was parsed.`
        : `This file is not valid UTF-8 (byte 0x${bytes[at].toString(16).padStart(2, '0')} at byte ${at}); save it as UTF-8. Nothing was parsed.`,
      range: { start: pos, end: { line: pos.line, character: pos.character + 1 } },
    },
  };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  let opts: CheckArgs;
  try {
    opts = parseCheckArgs(args);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`kvlens check: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  if (opts.help) {
    io.out(HELP);
    return EXIT_OK;
  }
  if (opts.files.length === 0) {
    io.err(`kvlens check: no files given\n\n${HELP}`);
    return EXIT_USAGE;
  }
  const resolver = opts.models ? createModelResolver() : undefined;
  const results: FileResult[] = [];
  let ioFailure = false;
  for (const file of opts.files) {
    const abs = file === '-' ? '-' : path.resolve(io.cwd, file);
    let bytes: Buffer;
    try {
      bytes = await readInput(abs, { maxBytes: LIMITS.configBytes, what: 'config', display: file, allowSpecial: namedOnPurpose(file) });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      io.err(e.problem === 'directory'
        ? `kvlens check: ${file} is a directory; pass files (your shell expands globs such as ${path.join(file, '*.yaml')})\n`
        : `kvlens check: ${e.message}\n`);
      ioFailure = true;
      continue;
    }
    const decoded = decodeConfig(bytes);
    const format = opts.as ?? detectFormat(abs, 'text' in decoded ? decoded.text : undefined, opts.associations);
    if ('diagnostic' in decoded) {
      results.push({ file, format: format ?? null, diagnostics: [decoded.diagnostic] });
      continue;
    }
    if (!format) {
      io.err(
        `kvlens check: cannot tell the format of ${file}; name it *.kvlens.yaml, *vllm*.yaml or *llama-swap*.yaml, ` +
          `or pass --as profile|vllm|llama-swap\n`,
      );
      ioFailure = true;
      continue;
    }
    const analysis = await analyzeText(decoded.text, abs, { format, modelResolver: resolver, vllmVersion: opts.vllmVersion, llamaCppBuild: opts.llamaBuild });
    results.push({ file, format, diagnostics: analysis.diagnostics });
  }

  if (opts.output === 'json') {
    const json = results.map((r) => ({
      file: r.file,
      format: r.format,
      diagnostics: r.diagnostics.map((d) => ({ severity: d.severity, code: d.code, message: d.message, range: d.range })),
    }));
    io.out(JSON.stringify(json, null, 2) + '\n');
  } else {
    for (const r of results) {
      for (const d of r.diagnostics) {
        io.out(`${r.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${oneLine(d.message)} [${d.code}]\n`);
      }
    }
    const count = (s: string): number => results.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === s).length, 0);
    const e = count('error');
    const w = count('warning');
    io.err(`kvlens check: ${results.length} file${results.length === 1 ? '' : 's'} checked, ${e} error${e === 1 ? '' : 's'}, ${w} warning${w === 1 ? '' : 's'}\n`);
  }
  if (ioFailure) return EXIT_USAGE;
  return results.some((r) => r.diagnostics.some((d) => d.severity === 'error')) ? EXIT_FINDINGS : EXIT_OK;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

export { CONFIG_FORMATS };

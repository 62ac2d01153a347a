// `kvlens <command> ...`: parse the command name, hand the rest to the command's module. Commands stay thin:
// parse their args, call src/core, print. Every command follows one exit-code contract (io.ts).
import { CliIO, EXIT_INTERNAL, EXIT_USAGE, processIO, sanitizeForTerminal, UsageError } from './io';
import { InputError, OutputError } from '../core/io/errors';
import { installSignalHandlers } from './signals';
import { setAfterBigParse } from '../core/formats/document';
import { fullCollector } from './gc';
import { version } from '../../package.json';

export type Command = (args: string[], io: CliIO) => Promise<number>;

// Commands load lazily (require, so esbuild bundles them) to keep `kvlens check` from loading the engine client.
/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading; import() would turn into a real ESM import under node16 */
const COMMANDS: Record<string, { summary: string; load: () => Command }> = {
  check: { summary: 'validate serving configs (profiles, vLLM configs, llama-swap files)', load: () => (require('./commands/check') as typeof import('./commands/check')).run },
  estimate: { summary: 'memory, concurrency and speed per GPU/CPU target', load: () => (require('./commands/estimate') as typeof import('./commands/estimate')).run },
  bench: { summary: 'measure on the bundled llama.cpp engine', load: () => (require('./commands/bench') as typeof import('./commands/bench')).run },
  'make-model': { summary: 'generate a small random-weight llama GGUF', load: () => (require('./commands/makeModel') as typeof import('./commands/makeModel')).run },
  report: { summary: 'write a self-contained HTML report', load: () => (require('./commands/report') as typeof import('./commands/report')).run },
  loadtest: { summary: 'load-test an OpenAI-compatible endpoint (or import GuideLLM/vLLM/AIPerf results)', load: () => (require('./commands/loadtest') as typeof import('./commands/loadtest')).run },
  models: { summary: 'resolve a model (Hub id, path, Ollama name): what was read and from where', load: () => (require('./commands/models') as typeof import('./commands/models')).run },
};

export function usage(): string {
  const lines = ['Usage: kvlens <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${c.summary}`);
  lines.push('', 'Run `kvlens <command> --help` for its options.');
  lines.push('', 'Exit status: 0 clean, 1 findings (config errors, no fit, unresolvable model, failed test),',
    '2 usage or I/O, 3 internal error, 128+N stopped by signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).');
  return lines.join('\n') + '\n';
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${version}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`kvlens: unknown command '${name}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  try {
    return await cmd.load()(rest, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError || e instanceof OutputError) {
      io.err(`kvlens ${name}: ${e.message}\n`);
      return EXIT_USAGE;
    }
    io.err(`kvlens ${name}: internal error: ${e instanceof Error ? e.message : String(e)} — this is a bug in KV Lens; please report it${process.env.KVLENS_DEBUG && e instanceof Error ? `\n${e.stack}` : ''}\n`);
    return EXIT_INTERNAL;
  }
}

/** The real CLI process (bin/kvlens.js): signal handling, then the command, then its exit status. */
export function cliMain(argv: string[] = process.argv.slice(2)): Promise<void> {
  installSignalHandlers();
  setAfterBigParse(fullCollector());
  return main(argv).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(sanitizeForTerminal(`kvlens: internal error: ${e instanceof Error ? e.stack : String(e)}\n`)); process.exitCode = EXIT_INTERNAL; },
  );
}

// For bench/validation.ts: the analysis as the shipped bundle runs it.
export { analyzeText } from '../core/formats/analyze';

if (require.main === module) void cliMain();

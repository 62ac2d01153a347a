// `kvlens make-model [--layers N --embd N --heads N --kv-heads N --ff N --vocab N --ctx N --seed N] out.gguf`
import * as path from 'node:path';
import { DEFAULT_SHAPE, LlamaShape, makeLlamaGguf, validateShape } from '../../core/models/makeModel';
import { CliIO, EXIT_OK, UsageError } from '../io';

const OPTS: Record<string, keyof LlamaShape> = {
  '--layers': 'layers', '--embd': 'embd', '--heads': 'heads', '--kv-heads': 'kvHeads', '--ff': 'ff',
  '--vocab': 'vocab', '--ctx': 'ctx', '--seed': 'seed',
};

const HELP = `Usage: kvlens make-model [options] out.gguf

Writes a small llama-architecture GGUF with random f16 weights and a real tokenizer table. llama.cpp loads and
runs it: use it to measure memory and speed without downloading a model.

Options (defaults in brackets):
${Object.entries(OPTS).map(([f, k]) => `  ${f.padEnd(11)} N   [${DEFAULT_SHAPE[k]}]`).join('\n')}
head_dim = embd / heads must be a multiple of 32; heads must be divisible by kv-heads.
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const shape: LlamaShape = { ...DEFAULT_SHAPE };
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') { io.out(HELP); return EXIT_OK; }
    const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const key = OPTS[name];
    if (key) {
      const raw = inline ?? args[++i];
      if (raw === undefined || !/^\d+$/.test(raw)) throw new UsageError(`${name} needs a non-negative integer`);
      shape[key] = Number(raw);
      continue;
    }
    if (a.startsWith('-')) throw new UsageError(`unknown option '${a}' (see kvlens make-model --help)`);
    if (out) throw new UsageError(`more than one output file ('${out}', '${a}')`);
    out = a;
  }
  if (!out) throw new UsageError('missing output file (kvlens make-model [options] out.gguf)');
  const errs = validateShape(shape);
  if (errs.length) throw new UsageError(errs.join('; '));
  const file = path.resolve(io.cwd, out);
  const bytes = await makeLlamaGguf(file, shape);
  io.out(`${file}: ${shape.layers} layers × ${shape.embd} wide, ${shape.heads} heads / ${shape.kvHeads} KV heads (head_dim ${shape.embd / shape.heads}), ff ${shape.ff}, vocab ${shape.vocab}, ctx ${shape.ctx}; ${(bytes / 1048576).toFixed(2)} MiB\n`);
  return EXIT_OK;
}

// `node out/bench/hostile.js [--label NAME] [--timeout S] [ids...]`: runs issue 9's reproducers against the built
// CLI and prints one row each — outcome, wall time, peak RSS of the CLI process, and whether the outcome is
// right (the fuzz suite asserts the same checks). Saves bench-results/hostile-<label>.json. Each run is bounded
// (default 20 s, 2 GiB), so a case that hangs or blows up shows as HANG/OOM instead of stopping the table.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MiB, REPO, runCli, summarise } from '../test/fuzz/harness';
import { overBar, REPRODUCERS } from '../test/fuzz/reproducers';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (n: string) => { const i = argv.indexOf(n); if (i < 0) return undefined; const v = argv[i + 1]; argv.splice(i, 2); return v; };
  const label = opt('--label') ?? 'now';
  const timeoutS = Number(opt('--timeout') ?? 20);
  const only = new Set(argv);
  const rows: Record<string, unknown>[] = [];
  for (const rep of REPRODUCERS) {
    if (only.size && !only.has(rep.id) && !only.has(rep.row)) continue;
    if (rep.root && process.getuid?.() !== 0) { console.log(`${rep.id.padEnd(4)} skipped (needs root)`); continue; }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kvlens-hostile-${rep.id}-`));
    try {
      await rep.setup?.(dir);
      const r = await runCli(rep.args(dir), {
        cwd: dir, timeoutMs: Math.max(timeoutS * 1000, rep.limitMs ?? 0), rssCapBytes: 2 * 1024 ** 3,
        drive: rep.drive ? (child, h) => rep.drive!(child, dir, h) : undefined,
      });
      const wrong = rep.check(r, dir);
      const over = overBar(rep, r);
      const ok = !wrong && !over;
      console.log(`${rep.id.padEnd(4)} ${ok ? 'OK  ' : 'FAIL'} ${rep.title}\n       ${summarise(r)}${wrong ? `\n       wrong: ${wrong}` : ''}${over ? `\n       over the bar: ${over}` : ''}`);
      rows.push({ id: rep.id, row: rep.row, title: rep.title, ok, wrong, over, code: r.code, signal: r.signal, ms: Math.round(r.ms), msAfterSignal: r.msAfterMark === undefined ? undefined : Math.round(r.msAfterMark), peakRssMB: Math.round(r.peakRssBytes / MiB), timedOut: r.timedOut, overMemory: r.overMemory, survivors: r.survivors.length, stderr: r.stderr.slice(0, 400) });
    } catch (e) {
      console.log(`${rep.id.padEnd(4)} ERROR setting up: ${(e as Error).message}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const out = path.join(REPO, 'bench-results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, `hostile-${label}.json`), JSON.stringify({ label, at: new Date().toISOString(), rows }, null, 2) + '\n');
  console.log(`\n${rows.filter((r) => r.ok).length}/${rows.length} right within 10 s and 512 MB; saved bench-results/hostile-${label}.json`);
}

main().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 1; });

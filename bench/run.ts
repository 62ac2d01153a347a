// `npm run bench`: the editor-side benchmarks in one run — validation (target ≤ 50 ms for a 5,000-line YAML)
// and everything the editor computes per example (target ≤ 5 ms p95), and model resolution (warm cache ≤ 5 ms,
// first remote resolve of a 140 GB model ≤ 1 MB read). Each prints its table and saves JSON
// under bench-results/. The engine benchmark is separate (`npm run bench:engine`): it takes minutes.
import { benchValidation } from './validation';
import { benchEstimate } from './estimate';
import { benchModels } from './models';

async function main(): Promise<void> {
  await benchValidation();
  await benchEstimate();
  await benchModels();
}

main().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});

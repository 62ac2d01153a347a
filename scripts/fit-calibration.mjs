#!/usr/bin/env node
// Fits the speed model to the published measurements and writes data/calibration.json (coefficients, support)
// and data/calibration-rows.json (the rows each fit used, with their build dates).
//   npm run fit:calibration [-- --measured DIR]
// DIR defaults to ../shared/data/measured (README there). Runs the compiled core (npm run compile first; the npm
// script does). The output is deterministic for a given measured set: its sha256 is recorded in the file.
import { writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const at = args.indexOf('--measured');
const dir = at >= 0 ? path.resolve(args[at + 1] ?? '') : path.resolve(repo, '../shared/data/measured');
if (!existsSync(path.join(dir, 'llama-bench.jsonl'))) {
  console.error(`fit-calibration: no llama-bench.jsonl in ${dir} (pass --measured DIR)`);
  process.exit(2);
}
const { buildCalibration } = require(path.join(repo, 'out/src/core/estimator/calibration/build.js'));
const { calibration: cal, rows } = buildCalibration(dir);
const out = path.join(repo, 'data/calibration.json');
writeFileSync(out, JSON.stringify(cal, null, 1) + '\n');
writeFileSync(path.join(repo, 'data/calibration-rows.json'), JSON.stringify(rows) .replace(/\},\{/g, '},\n{') + '\n');
const cv = cal.crossValidation;
console.log(`wrote ${path.relative(repo, out)}: ${Object.keys(cal.groups).length} groups from ${cal.source.used} samples of ${cal.source.rows} rows`);
console.log(`leave-one-hardware-out: pp median ${cv.pp.medianAbsErrorPct} % (p90 ${cv.pp.p90AbsErrorPct} %), tg median ${cv.tg.medianAbsErrorPct} % (p90 ${cv.tg.p90AbsErrorPct} %)`);
if (cal.serving) console.log(`serving: ${cal.serving.rows} rows on ${cal.serving.chips.join(', ')}, median ${cal.serving.crossValidation.medianAbsErrorPct} %`);

#!/usr/bin/env node
// `npm test`: every check in order — set-up, build, typecheck, lint, unit, integration, e2e. A failing stage does
// not stop the later ones (so every failure shows), but the exit code is non-zero if any stage failed.
// Test stages print `kvlens-results {"passed":N,"failed":N,"pending":N}` (scripts/mocha-results-reporter.cjs);
// a stage that fails without such a line counts as one failure, and so does a failing build/typecheck/lint.
// The last line printed is exactly `tests: N passed, N failed[, N skipped]` — CI reads it.
//
// Set-up (scripts/setup.mjs) runs first when a selected stage needs it, as `npm start` does: Debian packages
// (installed when root), Node 24 + code-server into ~/.cache/kvlens, the integration runner. When it cannot finish
// (not root and a package is missing, say) nothing else runs, and its message is the last thing above the summary.
//
// Usage: node scripts/test-all.mjs [--only build,unit,...] [--skip e2e,...] [--list]   (npm test -- --only unit)
//        --list prints the stages that would run, one a line, and runs nothing
//        stages: setup, build, typecheck, lint, unit, integration, untrusted, e2e
// Env:   KVLENS_STAGE_TIMEOUT_S (per test stage, default 1200)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const bin = (p) => path.join(REPO, 'node_modules', p);

const STAGES = [
  // Runs only when a selected stage names it in `setup`; `--for` lists those stages' needs.
  { name: 'setup', cmd: [node, 'scripts/setup.mjs', '--for'], timeoutS: 3600, gate: true },
  { name: 'build', cmd: [node, 'esbuild.mjs'], timeoutS: 300 },
  { name: 'typecheck', cmd: [node, bin('typescript/bin/tsc'), '-p', '.'], timeoutS: 600 },
  { name: 'lint', cmd: [node, bin('eslint/bin/eslint.js'), '.'], timeoutS: 600 },
  { name: 'unit', tests: true, cmd: [node, bin('mocha/bin/mocha.js'), '--reporter', path.join(REPO, 'scripts/mocha-results-reporter.cjs')] },
  { name: 'integration', tests: true, setup: 'integration', cmd: [node, 'scripts/test-integration.mjs', '--no-build'] },
  // The same extension host suite with Workspace Trust on (the folder is untrusted): only the trust tests.
  { name: 'untrusted', tests: true, setup: 'integration', cmd: [node, 'scripts/test-integration.mjs', '--no-build', '--trust'], env: { KVLENS_INTEGRATION_GREP: 'workspace trust' } },
  { name: 'e2e', tests: true, setup: 'e2e', cmd: [node, 'scripts/test-e2e.mjs', '--no-build'] },
];

const argv = process.argv.slice(2);
const list = (name) => { const i = argv.indexOf(name); return i >= 0 && argv[i + 1] ? argv[i + 1].split(',').filter(Boolean) : undefined; };
const only = list('--only');
const skip = list('--skip') ?? [];
const stageTimeoutS = Number(process.env.KVLENS_STAGE_TIMEOUT_S ?? 1200);
{
  // A misspelt stage or a stray word would otherwise run everything (or nothing) without a word.
  const names = STAGES.map((s) => s.name);
  const unknown = [...(only ?? []), ...skip].filter((n) => !names.includes(n));
  const stray = argv.filter((a, i) => !['--only', '--skip', '--list'].includes(a) && !['--only', '--skip'].includes(argv[i - 1]));
  if (unknown.length || stray.length || (argv.includes('--only') && !only) || (argv.includes('--skip') && !list('--skip'))) {
    console.error(`[test-all] ${unknown.length ? `unknown stage ${unknown.join(', ')}` : stray.length ? `unexpected argument ${stray.join(' ')}` : 'a stage list is missing'}.`);
    console.error(`usage: npm test -- [--only STAGE,...] [--skip STAGE,...]   (npm needs the \`--\`)\n       stages: ${names.join(', ')}`);
    console.log('tests: 0 passed, 1 failed');
    process.exit(2);
  }
}
const chosen = (name) => !((only && !only.includes(name)) || skip.includes(name));
// Set-up runs when a selected stage needs it (unless skipped by name) or when asked for by name, for those needs.
const needs = [...new Set(STAGES.filter((s) => chosen(s.name) && s.setup).map((s) => s.setup))];
const setupStage = STAGES.find((s) => s.name === 'setup');
setupStage.cmd = [...setupStage.cmd, (needs.length ? needs : ['integration', 'e2e', 'smoke']).join(',')];
const plan = STAGES.filter((s) => (s.gate ? (needs.length > 0 && !skip.includes(s.name)) || only?.includes(s.name) : chosen(s.name)));
if (argv.includes('--list')) {
  for (const s of plan) console.log(s.gate ? `${s.name} (for ${s.cmd.at(-1)})` : s.name);
  process.exit(0);
}

let current;
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(sig, () => { if (current?.pid) { try { process.kill(-current.pid, 'SIGTERM'); } catch { /* gone */ } } process.exit(code); });
}

function runStage(stage) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let out = '';
    // Own process group, so a timeout can stop the stage's whole tree (code-server, chromium, engine runners).
    const child = spawn(stage.cmd[0], stage.cmd.slice(1), {
      cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0', ...(stage.env ?? {}) },
    });
    current = child;
    const tee = (stream) => (buf) => { const s = buf.toString(); out += s; if (out.length > 4_000_000) out = out.slice(-2_000_000); stream.write(s); };
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    const limitS = stage.timeoutS ?? stageTimeoutS;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\n[test-all] ${stage.name}: timed out after ${limitS} s; stopping it`);
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000).unref();
    }, limitS * 1000);
    child.on('error', (e) => { out += String(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      const seconds = (Date.now() - t0) / 1000;
      const exit = code ?? (signal ? 128 : 1);
      const ok = exit === 0 && !timedOut;
      let counts = { passed: 0, failed: 0, pending: 0 };
      if (stage.tests) {
        // mocha (and the integration harness) print one line per run; a stage may run more than one.
        const lines = [...out.matchAll(/^kvlens-results (\{.*\})\s*$/gm)];
        for (const m of lines) {
          try {
            const c = JSON.parse(m[1]);
            counts.passed += c.passed | 0; counts.failed += c.failed | 0; counts.pending += c.pending | 0;
          } catch { /* malformed line: ignored, the exit code still decides */ }
        }
        if (!ok && counts.failed === 0) counts.failed = 1;
      } else if (!ok) {
        counts.failed = 1;
      }
      resolve({ name: stage.name, ok, exit, timedOut, seconds, ...counts });
    });
  });
}

const results = [];
const started = Date.now();
let stopped;
for (const stage of plan) {
  console.log(`\n[test-all] ===== ${stage.name}: ${stage.cmd.map((a) => (a === node ? 'node' : path.isAbsolute(a) && a.startsWith(REPO) ? path.relative(REPO, a) : a)).join(' ')}`);
  const r = await runStage(stage);
  results.push(r);
  console.log(`[test-all] ===== ${stage.name}: ${r.ok ? 'ok' : 'FAILED'} in ${r.seconds.toFixed(1)} s`);
  if (stage.gate && !r.ok) {
    // Set-up runs first and nothing after it means anything without it: stop, its message just above the summary.
    stopped = '[test-all] set-up did not finish (its message is above), so no other stage ran.';
    break;
  }
}

const total = results.reduce((a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed, pending: a.pending + r.pending }), { passed: 0, failed: 0, pending: 0 });
const pad = (s, n) => String(s).padEnd(n);
const padL = (s, n) => String(s).padStart(n);
const rows = [
  `${pad('stage', 12)} ${pad('result', 8)} ${padL('passed', 7)} ${padL('failed', 7)} ${padL('skipped', 8)} ${padL('time', 9)}`,
  ...results.map((r) => `${pad(r.name, 12)} ${pad(r.ok ? 'ok' : r.timedOut ? 'TIMEOUT' : 'FAILED', 8)} ${padL(r.passed, 7)} ${padL(r.failed, 7)} ${padL(r.pending, 8)} ${padL(r.seconds.toFixed(1) + ' s', 9)}`),
  `${pad('total', 12)} ${pad(results.every((r) => r.ok) ? 'ok' : 'FAILED', 8)} ${padL(total.passed, 7)} ${padL(total.failed, 7)} ${padL(total.pending, 8)} ${padL(((Date.now() - started) / 1000).toFixed(1) + ' s', 9)}`,
];
try {
  mkdirSync(path.join(REPO, 'artifacts'), { recursive: true });
  writeFileSync(path.join(REPO, 'artifacts', 'test-summary.json'), JSON.stringify({ stages: results, total }, null, 2) + '\n');
} catch (e) {
  console.log(`[test-all] note: could not write artifacts/test-summary.json (${e.code ?? e.message})`);
}
if (stopped) console.log('\n' + stopped);
console.log('\n' + rows.join('\n') + '\n');
const anyFailed = results.some((r) => !r.ok);
console.log(`tests: ${total.passed} passed, ${total.failed} failed${total.pending ? `, ${total.pending} skipped` : ''}`);
process.exit(anyFailed ? 1 : 0);

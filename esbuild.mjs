// Bundles the shipping artefacts. Tests and benchmarks are compiled by tsc into out/ instead, so that they
// exercise the same modules one by one.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  // jsonc-parser's `main` is a UMD build whose internal requires esbuild cannot follow; its ESM build bundles.
  mainFields: ['module', 'main'],
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
  // yaml's node build reads process.env.LOG_TOKENS once per token (a getter into the C++ environment, a quarter of
  // a big file's parse); its browser build is the same code without that debug hook (and decodes !!binary with atob).
  alias: { yaml: './node_modules/yaml/browser/index.js' },
};

const builds = [
  // The extension host entry. 'vscode' is provided by the host; node-llama-cpp is never loaded here.
  { ...common, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', platform: 'node',
    format: 'cjs', target: 'node20', external: ['vscode', 'node-llama-cpp'] },
  // The CLI shares the core with the extension.
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs',
    target: 'node20', external: ['node-llama-cpp'] },
  // The engine runner runs in its own process; node-llama-cpp is ESM with top-level await, so the runner is ESM.
  { ...common, entryPoints: ['src/engine/runner.mts'], outfile: 'dist/runner.mjs', platform: 'node',
    format: 'esm', target: 'node20', external: ['node-llama-cpp'] },
  // The webview front end: also used by `kvlens report`, which inlines it into one HTML file.
  { ...common, entryPoints: ['webview/main.ts'], outfile: 'dist/webview/main.js', platform: 'browser', mainFields: ['browser', 'module', 'main'],
    format: 'iife', target: 'es2022', loader: { '.css': 'text' } },
];

mkdirSync('dist/webview', { recursive: true });
cpSync('node_modules/uplot/dist/uPlot.min.css', 'dist/webview/uPlot.min.css');

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}

// Entry the extension host loads (extensionTestsPath = out/test/integration/index): runs mocha over every
// out/test/integration/**/*.test.js and rejects when a test fails. The same file runs under code-server (offline)
// and @vscode/test-electron; the reporter ends the output with `kvlens-results {...}` for scripts/test-all.mjs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

const REPO = path.resolve(__dirname, '../../..');

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

export function run(): Promise<void> {
  const reporter = path.join(REPO, 'scripts/mocha-results-reporter.cjs');
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: 60_000,
    reporter: fs.existsSync(reporter) ? reporter : 'spec',
    grep: process.env.KVLENS_INTEGRATION_GREP,
  });
  for (const f of testFiles(__dirname)) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
    } catch (e) {
      reject(e);
    }
  });
}

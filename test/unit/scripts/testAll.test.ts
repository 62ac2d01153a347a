// `npm test`'s stage selection (scripts/test-all.mjs): other engineers and CI rely on --only/--skip, and set-up
// must run exactly when a chosen stage needs it.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const testAll = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'scripts/test-all.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
const list = (...args: string[]) => { const r = testAll(...args, '--list'); assert.equal(r.status, 0, r.stderr); return r.stdout.trim().split('\n'); };

describe('scripts/test-all', () => {
  it('runs set-up first, for the needs of the chosen stages only', () => {
    assert.deepEqual(list(), ['setup (for integration,e2e)', 'build', 'typecheck', 'lint', 'unit', 'integration', 'untrusted', 'e2e']);
    assert.deepEqual(list('--only', 'unit,integration'), ['setup (for integration)', 'unit', 'integration']);
    assert.deepEqual(list('--only', 'build,unit'), ['build', 'unit']);
    assert.deepEqual(list('--skip', 'e2e,untrusted,setup'), ['build', 'typecheck', 'lint', 'unit', 'integration']);
    assert.deepEqual(list('--only', 'setup'), ['setup (for integration,e2e,smoke)']);
  });

  it('refuses an unknown stage or a stray word (npm without `--`) instead of running something else', () => {
    for (const args of [['--only', 'unit,bogus'], ['e2e'], ['--skip']]) {
      const r = testAll(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /usage: npm test -- \[--only STAGE,\.\.\.\]/);
      assert.equal(r.stdout.trimEnd().split('\n').at(-1), 'tests: 0 passed, 1 failed');
    }
  });
});

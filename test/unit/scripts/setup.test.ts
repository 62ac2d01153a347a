// The one-time set-up behind `npm test` / `npm start` (scripts/setup.mjs): what a fresh machine is told or given.
// The plan is tested on described machines; the "not root" path also runs for real, as an unprivileged user,
// with KVLENS_SETUP_PRETEND_MISSING standing in for packages this machine has.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(__dirname, '../../../..');

interface Machine { dpkg: boolean; root: boolean; codeServerInstalled: boolean; has(pkg: string, o?: { ignorePretend?: boolean }): boolean }
interface Plan { missing: string[]; action: 'none' | 'install' | 'ask'; command?: string; message?: string }
interface SetupModule {
  planSystemPackages(needs: { browser?: boolean; codeServer?: boolean }, m: Machine): Plan;
  probeMachine(env?: NodeJS.ProcessEnv): Machine;
  WHY: Record<string, string>;
}
const load = (): Promise<SetupModule> => import(pathToFileURL(path.join(ROOT, 'scripts/setup.mjs')).href) as Promise<SetupModule>;

const machine = (o: Partial<Machine> & { present?: string[] } = {}): Machine => ({
  dpkg: o.dpkg ?? true, root: o.root ?? false, codeServerInstalled: o.codeServerInstalled ?? false,
  has: (p) => (o.present ?? []).includes(p),
});

/**
 * Runs scripts/<script> as an unprivileged user — itself when not root, else uid/gid 65534 through setpriv — from a
 * world-readable copy of scripts/ (the checkout itself may sit in a folder only root can enter). undefined when
 * that user cannot be had or cannot read the copy.
 */
function unprivileged(script: string, args: string[], env: NodeJS.ProcessEnv): ReturnType<typeof spawnSync> | undefined {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-setup-copy-'));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-setup-home-'));
  try {
    fs.cpSync(path.join(ROOT, 'scripts'), path.join(copy, 'scripts'), { recursive: true });
    fs.chmodSync(copy, 0o755);
    const file = path.join(copy, 'scripts', script);
    const e = { ...process.env, ...env, HOME: home, XDG_CACHE_HOME: '', KVLENS_CACHE: '' };
    const o = { cwd: copy, env: e, encoding: 'utf8' as const, timeout: 60_000 };
    if (process.getuid?.() !== 0) return spawnSync(process.execPath, [file, ...args], o);
    fs.chownSync(home, 65534, 65534);
    const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
    if (!setpriv) return undefined;
    const as = (a: string[]) => spawnSync(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...a], o);
    if (as(['-e', `require('fs').accessSync(${JSON.stringify(file)}, require('fs').constants.R_OK)`]).status !== 0) return undefined;
    return as([file, ...args]);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const SKIP = '      (skipped: no unprivileged user that can read a copy of scripts/ — root without setpriv, or a private temp folder)';

describe('scripts/setup', () => {
  it('on a bare Debian machine, not root: names every missing package, why, and the one apt-get line to run', async () => {
    const { planSystemPackages, WHY } = await load();
    const plan = planSystemPackages({ browser: true, codeServer: true }, machine());
    assert.equal(plan.action, 'ask');
    assert.deepEqual(plan.missing, ['chromium', 'fonts-liberation', 'libkrb5-dev', 'make', 'g++', 'python3']);
    assert.equal(plan.command, 'sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium fonts-liberation libkrb5-dev make g++ python3');
    assert.ok(plan.message?.includes(plan.command!), plan.message);
    for (const p of plan.missing) assert.ok(plan.message?.includes(WHY[p]), p);
  });

  it('as root it installs instead of asking', async () => {
    const { planSystemPackages } = await load();
    assert.deepEqual(planSystemPackages({ browser: true }, machine({ root: true, present: ['fonts-liberation'] })), { missing: ['chromium'], action: 'install' });
  });

  it('asks only for what the chosen stages need: build packages only while code-server is not installed', async () => {
    const { planSystemPackages } = await load();
    assert.deepEqual(planSystemPackages({ browser: true, codeServer: true }, machine({ codeServerInstalled: true })).missing, ['chromium', 'fonts-liberation']);
    assert.deepEqual(planSystemPackages({ codeServer: true }, machine({ present: ['make', 'g++', 'python3'] })).missing, ['libkrb5-dev']);
    assert.deepEqual(planSystemPackages({}, machine()), { missing: [], action: 'none' });
    assert.equal(planSystemPackages({ browser: true, codeServer: true }, machine({ present: ['chromium', 'fonts-liberation', 'libkrb5-dev', 'make', 'g++', 'python3'] })).action, 'none');
  });

  it('off Debian it says what to install without an apt-get line it cannot vouch for', async () => {
    const { planSystemPackages } = await load();
    const plan = planSystemPackages({ browser: true, codeServer: true }, machine({ dpkg: false, root: true, present: ['make', 'g++', 'python3'] }));
    assert.equal(plan.action, 'ask');
    assert.deepEqual(plan.missing, ['chromium']);
    assert.doesNotMatch(plan.message!, /apt-get/);
    assert.match(plan.message!, /KVLENS_CHROMIUM/);
  });

  it('KVLENS_SETUP_PRETEND_MISSING makes the check see a package as missing (and only the check)', async () => {
    const { probeMachine } = await load();
    const m = probeMachine({ ...process.env, KVLENS_SETUP_PRETEND_MISSING: 'chromium, python3' });
    assert.equal(m.has('chromium'), false);
    assert.equal(m.has('python3'), false);
    assert.equal(m.has('python3', { ignorePretend: true }), spawnSync('python3', ['--version']).status === 0);
  });

  it('not root, for real: set-up stops before doing anything, with the message and exit 2, no stack trace', function () {
    const r = unprivileged('setup.mjs', ['--for', 'e2e'], { KVLENS_SETUP_PRETEND_MISSING: 'chromium,fonts-liberation' });
    if (!r) { console.log(SKIP); this.skip(); }
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 2, out);
    assert.match(out, /sudo apt-get install -y --no-install-recommends chromium fonts-liberation( |$)/m);
    assert.doesNotMatch(out, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
    assert.doesNotMatch(out, /\[setup\] (installing|apt-get)/, 'it installs nothing');
  });

  it('not root, for real: npm test stops at set-up, runs nothing else and ends with the tests line', function () {
    const r = unprivileged('test-all.mjs', ['--only', 'e2e'], { KVLENS_SETUP_PRETEND_MISSING: 'chromium' });
    if (!r) { console.log(SKIP); this.skip(); }
    const out = String(r.stdout);
    assert.equal(r.status, 1, out + r.stderr);
    assert.doesNotMatch(out, /===== e2e:/, 'e2e did not start');
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.at(-1), 'tests: 0 passed, 1 failed');
    assert.match(out, /^setup\s+FAILED/m);
    // The message (on stderr) is the last thing set-up printed: nothing else ran after it.
    assert.match(String(r.stderr), /sudo apt-get install -y --no-install-recommends chromium\n/);
    assert.match(out, /set-up did not finish \(its message is above\), so no other stage ran/);
  });
});

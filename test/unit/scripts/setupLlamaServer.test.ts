// scripts/setup.mjs and the real llama-server the load-test tests build (scripts/build-llama-server.sh): the build
// tools are asked for only while no llama-server is cached, and e2e (which sweeps that server) asks for them too.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(__dirname, '../../../..');

interface Machine { dpkg: boolean; root: boolean; codeServerInstalled: boolean; llamaServerBuilt?: boolean; has(pkg: string): boolean }
interface SetupModule {
  planSystemPackages(needs: { browser?: boolean; codeServer?: boolean; llamaServer?: boolean }, m: Machine): { missing: string[]; action: string; message?: string };
  probeMachine(env?: NodeJS.ProcessEnv): Machine;
  WHY: Record<string, string>;
  TARGETS: string[];
}
const load = (): Promise<SetupModule> => import(pathToFileURL(path.join(ROOT, 'scripts/setup.mjs')).href) as Promise<SetupModule>;

describe('scripts/setup for the llama-server build', () => {
  it('asks for cmake, make, g++ and git until a llama-server is cached, and says why', async () => {
    const { planSystemPackages, WHY, TARGETS } = await load();
    assert.ok(TARGETS.includes('llama-server'));
    const bare: Machine = { dpkg: true, root: false, codeServerInstalled: true, llamaServerBuilt: false, has: () => false };
    const plan = planSystemPackages({ llamaServer: true }, bare);
    assert.deepEqual(plan.missing, ['cmake', 'make', 'g++', 'git']);
    for (const p of plan.missing) assert.ok(plan.message?.includes(WHY[p]!), p);
    assert.deepEqual(planSystemPackages({ llamaServer: true }, { ...bare, llamaServerBuilt: true }).missing, []);
    // Shared with code-server's build tools, never listed twice.
    assert.deepEqual(planSystemPackages({ codeServer: true, llamaServer: true }, { ...bare, codeServerInstalled: false }).missing, ['libkrb5-dev', 'make', 'g++', 'python3', 'cmake', 'git']);
  });

  it('sees a cached build in KVLENS_CACHE', async () => {
    const { probeMachine } = await load();
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-setup-ls-'));
    try {
      assert.equal(probeMachine({ ...process.env, KVLENS_CACHE: cache }).llamaServerBuilt, false);
      const dir = path.join(cache, 'llama-server', 'de3ff815ea7d559ee917f063901b8986f038abc6');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'llama-server'), '');
      assert.equal(probeMachine({ ...process.env, KVLENS_CACHE: cache }).llamaServerBuilt, true);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

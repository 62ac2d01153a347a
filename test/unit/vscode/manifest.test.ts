// The manifest's editor contributions (package.json `contributes`, `activationEvents`, `capabilities`): every
// command is categorised and reachable, settings are documented and scoped, executables are machine-scoped and
// restricted in untrusted workspaces, schema paths exist, and the problem matcher reads `kvlens check` output.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as any;
const c = pkg.contributes;

describe('manifest contributions', () => {
  it('puts every command under the "KV Lens" category, and menus only name declared commands', () => {
    const ids = new Set<string>(c.commands.map((x: { command: string }) => x.command));
    for (const cmd of c.commands) assert.equal(cmd.category, 'KV Lens', cmd.command);
    for (const id of ['kvlens.openDashboard', 'kvlens.runBenchmark', 'kvlens.showEstimate', 'kvlens.selectTarget', 'kvlens.cancelBenchmark', 'kvlens.showLog']) assert.ok(ids.has(id), id);
    for (const [menu, items] of Object.entries(c.menus) as [string, { command: string; when?: string }[]][]) {
      for (const it of items) assert.ok(ids.has(it.command), `${menu}: ${it.command}`);
    }
    const run = c.commands.find((x: { command: string }) => x.command === 'kvlens.runBenchmark');
    assert.match(run.enablement, /isWorkspaceTrusted/);
  });

  it('every command the extension registers is declared', () => {
    const src = fs.readdirSync(path.join(ROOT, 'src/vscode/commands')).map((f) => fs.readFileSync(path.join(ROOT, 'src/vscode/commands', f), 'utf8')).join('\n');
    const registered = [...src.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]);
    assert.ok(registered.length >= 6);
    const ids = new Set<string>(c.commands.map((x: { command: string }) => x.command));
    for (const id of registered) assert.ok(ids.has(id), `${id} is registered but not in contributes.commands`);
  });

  it('documents and scopes every setting; executables are machine-scoped and restricted when untrusted', () => {
    const props = c.configuration.properties as Record<string, { scope?: string; description?: string; markdownDescription?: string; default?: unknown }>;
    for (const [k, v] of Object.entries(props)) {
      assert.ok(v.description || v.markdownDescription, `${k} has a description`);
      assert.ok(v.scope, `${k} has a scope`);
      assert.ok('default' in v, `${k} has a default`);
    }
    assert.equal(props['kvlens.engine.llamaBenchPath'].scope, 'machine');
    assert.equal(props['kvlens.engine.nodePath'].scope, 'machine');
    assert.equal(props['kvlens.validation.debounceMs'].default, 250);
    assert.equal(props['kvlens.fileAssociations'].scope, 'resource');
    assert.equal(props['kvlens.targets.custom'].scope, 'application');
    // A custom target is written the same way in settings and inline in a profile.
    const profileTarget = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/kvlens-profile.schema.json'), 'utf8')).definitions.target;
    const items = (props['kvlens.targets.custom'] as { items: Record<string, unknown> }).items;
    assert.deepEqual(items.properties, profileTarget.properties);
    assert.deepEqual([items.if, items.then], [profileTarget.if, profileTarget.then]);
    const u = pkg.capabilities.untrustedWorkspaces;
    assert.equal(u.supported, 'limited');
    assert.deepEqual([...u.restrictedConfigurations].sort(), ['kvlens.engine.llamaBenchPath', 'kvlens.engine.nodePath', 'kvlens.loadTest.endpoint']);
    // The endpoint a load test contacts comes from the user, never from a workspace's settings.
    assert.equal(props['kvlens.loadTest.endpoint'].scope, 'machine');
  });

  it('activates only on our files, YAML/JSON/shell scripts/compose files (content detection) and the dashboard', () => {
    for (const e of pkg.activationEvents as string[]) {
      assert.match(e, /^(workspaceContains:\*\*\/\*(\.kvlens|vllm\*|llama-swap\*)|onLanguage:(yaml|json|jsonc|shellscript|dockercompose)$|onWebviewPanel:kvlens\.dashboard$)/, e);
    }
    assert.ok(!(pkg.activationEvents as string[]).includes('*'));
  });

  it('contributes no JSON/YAML schema validation (KV Lens validates; VS Code\'s JSON checker would repeat every error), and ships its snippets and walkthrough', () => {
    assert.equal(c.jsonValidation, undefined);
    assert.equal(c.yamlValidation, undefined);
    for (const sn of c.snippets as { language: string; path: string }[]) {
      const file = path.join(ROOT, sn.path);
      assert.ok(fs.existsSync(file), sn.path);
      const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { prefix: string | string[]; body: string[] }>;
      assert.ok(Object.keys(json).length >= 2);
      for (const [k, v] of Object.entries(json)) assert.ok(v.prefix && v.body.length, k);
    }
    const steps = c.walkthroughs[0].steps as { id: string; media: { markdown: string }; description: string }[];
    assert.ok(steps.length >= 4);
    for (const st of steps) assert.ok(fs.existsSync(path.join(ROOT, st.media.markdown)), st.media.markdown);
    assert.ok(steps.some((st) => st.description.includes('command:kvlens.newProfile')));
    assert.ok(c.menus['file/newFile'].some((m: { command: string }) => m.command === 'kvlens.newProfile'));
  });

  it('has a problem matcher that reads `kvlens check` text output', function () {
    const cli = path.join(ROOT, 'out/src/cli/main.js');
    if (!fs.existsSync(cli)) this.skip();
    const files = ['serve-vllm.yaml', 'misspelt.kvlens.yaml'].map((f) => path.join(ROOT, 'test/fixtures/workspace', f));
    const r = spawnSync(process.execPath, [cli, 'check', ...files], { encoding: 'utf8' });
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.ok(lines.length >= 3, r.stdout + r.stderr);
    const pm = c.problemMatchers.find((p: { name: string }) => p.name === 'kvlens');
    const re = new RegExp(pm.pattern.regexp);
    const parsed = lines.map((l: string) => re.exec(l)).filter((m: RegExpExecArray | null): m is RegExpExecArray => !!m);
    assert.equal(parsed.length, lines.length, lines.join('\n'));
    const first = parsed.find((m) => m[pm.pattern.code] === 'unknown-key' && m[pm.pattern.file].endsWith('misspelt.kvlens.yaml'));
    assert.ok(first, lines.join('\n'));
    assert.equal(first[pm.pattern.line], '9');
    assert.equal(first[pm.pattern.column], '3');
    assert.equal(first[pm.pattern.severity], 'error');
  });
});

// `kvlens loadtest` in-process, against the STAND-IN server (the real llama-server runs in
// test/unit/loadtest/llamaServer.test.ts): what a user sees, what --out stores, exit codes, the key from the
// environment only, and --import.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../src/cli/commands/loadtest';
import { run as report } from '../../../src/cli/commands/report';
import { makeLlamaGguf } from '../../../src/core/models/makeModel';
import type { CliIO } from '../../../src/cli/io';
import { ResultsStore } from '../../../src/core/results/store';
import type { LoadTestRecord } from '../../../src/core/loadtest/record';
import { startStandIn, type StandIn } from '../../fixtures/loadtest/standIn';

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => { out += t; }, err: (t) => { err += t; }, cwd, isTTY: false };
  let code: number;
  try { code = await run(args, io); } catch (e) { code = 2; err += (e as Error).message; }
  return { code, out, err };
}

describe('cli/loadtest', function () {
  this.timeout(60_000);
  let s: StandIn;
  let dir: string;
  before(async () => {
    s = await startStandIn({ ttftMs: 5, tpotMs: 2, fault: (n) => (n === 7 ? '500' : 'ok') });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-cli-lt-'));
  });
  after(async () => {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints a step table with percentiles, the errors with reasons, the definitions; appends each step; exits 1 on failures', async () => {
    const prevKey = process.env.KVLENS_API_KEY;
    process.env.KVLENS_API_KEY = 'sk-cli-secret-789';
    try {
      const r = await cli([s.url, '--concurrency', '1..4', '--requests', '6', '--prompt-tokens', '32', '--output-tokens', '8', '--warmup', '0', '--slo', 'ttft=500ms,tpot=50ms', '--out', 'runs.jsonl'], dir);
      assert.equal(r.code, 1, r.err);
      assert.match(r.out, /^step\s+ok\/sent\s+TTFT p50\/p90\/p99\s+TPOT p50\/p90\/p99/m);
      assert.match(r.out, /^c=1\s+5\/6/m, "the 500 is one of the six");
      assert.match(r.out, /^c=4\s+6\/6/m);
      assert.match(r.out, /http_status × 1 — HTTP 500/);
      assert.match(r.out, /TPOT {2}= \(E2E − TTFT\) \/ \(output tokens − 1\)/);
      assert.match(r.out, /goodput/);
      const back = await new ResultsStore(path.join(dir, 'runs.jsonl')).readAll();
      assert.deepEqual(back.loadTests!.map((x) => x.load.concurrency), [1, 2, 4]);
      assert.doesNotMatch(fs.readFileSync(path.join(dir, 'runs.jsonl'), 'utf8'), /sk-cli-secret/);
      assert.doesNotMatch(r.out + r.err, /sk-cli-secret/);
      assert.ok(s.requests.length > 0 && s.requests.every((q) => q.authorization === 'Bearer sk-cli-secret-789'), 'the key came from KVLENS_API_KEY');
    } finally {
      if (prevKey === undefined) delete process.env.KVLENS_API_KEY; else process.env.KVLENS_API_KEY = prevKey;
    }
  });

  it('--format json prints the records; --rate runs open-loop steps', async () => {
    const r = await cli([s.url, '--rate', '20,40', '--requests', '5', '--prompt-tokens', '16', '--output-tokens', '4', '--format', 'json', '--warmup', '0'], dir);
    const recs = JSON.parse(r.out) as LoadTestRecord[];
    assert.deepEqual(recs.map((x) => [x.load.mode, x.load.rate]), [['rate', 20], ['rate', 40]]);
    assert.ok(recs.every((x) => x.kind === 'loadtest' && x.summary.requests.completed === 5));
  });

  it('kvlens report puts the stored load tests in the HTML report, against the profile\'s estimate', async function () {
    const bundle = path.join(__dirname, '../../../../dist/webview/main.js');
    if (!fs.existsSync(bundle)) this.skip();
    await makeLlamaGguf(path.join(dir, 'model.gguf'), {});
    fs.writeFileSync(path.join(dir, 'p.kvlens.yaml'), 'model: ./model.gguf\nengine:\n  kind: llama.cpp\n  args: "-c 4096 -np 4 -t 1"\ntargets: [local]\n');
    const r = await cli([s.url, '--concurrency', '1,2,4', '--requests', '4', '--prompt-tokens', '16', '--output-tokens', '4', '--profile', 'p.kvlens.yaml', '--out', 'report-runs.jsonl'], dir);
    assert.equal(r.code, 0, r.err + r.out);
    let out = '';
    const code = await report(['--out', 'r.html', '--results', 'report-runs.jsonl', 'p.kvlens.yaml'], { out: (t: string) => { out += t; }, err: () => undefined, cwd: dir, isTTY: false });
    assert.equal(code, 0, out);
    const html = fs.readFileSync(path.join(dir, 'r.html'), 'utf8');
    const data = JSON.parse(/<script type="application\/json" id="kvlens-data">([\s\S]*?)<\/script>/.exec(html)![1]!.replace(/\\u003c/g, '<')) as { loadTests?: { runs: { rows: { step: string; est: { tpot: { value?: number } } }[] }[] } };
    const rows = data.loadTests!.runs[0]!.rows;
    assert.deepEqual(rows.map((x) => x.step), ['c=1', 'c=2', 'c=4']);
    assert.ok(rows.every((x) => (x.est.tpot.value ?? 0) > 0), 'each step has the profile\'s estimate beside it');
  });

  it('usage errors exit 2 with a reason', async () => {
    assert.equal((await cli([], dir)).code, 2);
    assert.match((await cli(['http://u:p@127.0.0.1:1'], dir)).err, /credentials/);
    assert.match((await cli([s.url, '--concurrency', '1', '--rate', '2'], dir)).err, /give one/);
    assert.match((await cli([s.url, '--slo', 'ttft=fast'], dir)).err, /not a duration/);
    assert.match((await cli([s.url, '--api-key-env', 'KVLENS_NO_SUCH_VAR_X'], dir)).err, /empty or not set/);
    assert.match((await cli([s.url, '--bogus'], dir)).err, /unknown option/);
  });

  it('--import reads another tool\'s results into the store, converted, and prints them the same way', async () => {
    const f = path.join(dir, 'bench.json');
    fs.writeFileSync(f, JSON.stringify({ max_concurrency: 4, request_rate: 'inf', completed: 10, failed: 0, duration: 5, request_throughput: 2, output_throughput: 100, mean_ttft_ms: 50, median_ttft_ms: 45, p99_ttft_ms: 90, mean_tpot_ms: 10, median_tpot_ms: 9, p99_tpot_ms: 20, mean_itl_ms: 9, median_itl_ms: 8, p99_itl_ms: 30, mean_e2el_ms: 500, median_e2el_ms: 480, p99_e2el_ms: 900 }));
    const r = await cli(['--import', 'bench.json', '--out', 'imported.jsonl'], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /vllm-bench-serve/);
    assert.match(r.out, /^c=4\s+10\/10\s+45\.0 ms/m);
    const back = await new ResultsStore(path.join(dir, 'imported.jsonl')).readAll();
    assert.equal(back.loadTests![0]!.source.tool, 'vllm-bench-serve');
    assert.equal(back.loadTests![0]!.summary.tpot!.p50, 0.009);
    assert.match((await cli(['--import', 'runs.jsonl'], dir)).err, /not a results file/);
  });
});

import * as assert from 'node:assert/strict';
import { buildViewModel } from '../../../src/core/report/viewModel';
import { csvField, exportView, mdCell, toCsv, toMarkdown } from '../../../src/core/report/export';
import { makeRecord, makeReport } from './fixtures';

const vm = () => buildViewModel({
  title: 'KV Lens — llama.kvlens.yaml', source: 'examples/llama.kvlens.yaml', generatedAt: '2026-11-22T02:00:00Z',
  deployments: [{ name: 'llama', report: makeReport('model, "quoted" | piped\nname') }],
  runs: [makeRecord({ id: 'a', savedAt: '2026-11-20T10:00:00Z', avgTs: 110, estimate: { decodeTokensPerSec: 100, kvBytes: 1_114_112 }, modelName: '=cmd|x' })],
});

/** Minimal RFC 4180 reader, to prove the writer's output reads back into the same fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(f); f = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(f); rows.push(row); row = []; f = ''; i++; } else f += c;
  }
  return rows;
}

describe('report export', () => {
  it('quotes CSV fields per RFC 4180 and defuses spreadsheet formulas', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('=1+1'), "'=1+1");
    assert.equal(csvField(NaN), '');
    assert.equal(csvField(undefined), '');
    assert.equal(csvField(1.5), '1.5');
  });

  it('writes one CSV row per target with raw numbers and units in the headers', () => {
    const rows = parseCsv(toCsv(vm()));
    const head = rows[0];
    const h100 = rows[1];
    const col = (name: string) => h100[head.indexOf(name)];
    assert.equal(col('target'), 'h100-sxm');
    assert.equal(col('capacity (GiB)'), '80');
    assert.equal(col('users that fit'), '12');
    assert.equal(col('at context (tokens)'), '8192');
    assert.equal(col('decode per user (tok/s)'), '143');
    assert.equal(col('TTFT (s)'), '0.2048');
    assert.equal(rows[2][head.indexOf('verdict')], 'does-not-fit');
    assert.equal(rows[1][0], 'llama');
    // the runs table follows after an empty line
    const runHead = rows.findIndex((r) => r[0] === 'run id');
    assert.ok(runHead > 2);
    const run = rows[runHead + 1];
    assert.equal(run[rows[runHead].indexOf('model')], "'=cmd|x");
    assert.equal(run[rows[runHead].indexOf('difference (%)')], '10');
    assert.ok(rows.every((r) => r.every((f) => !/NaN|undefined/.test(f))));
  });

  it('writes a Markdown table whose rows keep their columns when names hold pipes, newlines or HTML', () => {
    assert.equal(mdCell('a|b\nc <b>'), 'a\\|b c &lt;b&gt;');
    const md = toMarkdown(vm());
    const lines = md.split('\n');
    const header = lines.find((l) => l.startsWith('| Target'))!;
    const cols = header.split(' | ').length;
    const h100 = lines.find((l) => l.startsWith('| H100 SXM'))!;
    assert.equal(h100.split(/(?<!\\) \| /).length, cols);
    assert.match(h100, /\| fits \| 14\.96 GiB \| 2\.13 GiB \| 512 MiB \| 17\.58 GiB \/ 80\.00 GiB \| 12 @ 8K tokens \| 205 ms \|/);
    assert.match(md, /\| q4_0\/q4_0 \| full \| — \| — \| — \| quantized V cache requires flash attention/);
    assert.match(md, /\| q8_0\/q8_0 \(current\) \|/);
    assert.match(md, /## Measured runs/);
    assert.match(md, /\| \+10 % \|/);
    assert.doesNotMatch(md, /NaN|undefined/);
    assert.ok(!md.includes('"quoted" | piped'), 'pipes in names are escaped');
  });

  it('exports JSON with numbers, not display text', () => {
    const j = JSON.parse(exportView(vm(), 'json'));
    assert.equal(j.deployments[0].targets[0].memory.capacityBytes, 80 * 1024 ** 3);
    assert.equal(j.deployments[0].targets[0].memory.kvBytes, 69_632 * 32_768);
    assert.equal(j.runs[0].diffPct, 10);
    assert.equal(j.deployments[0].targets[1].verdict, 'does-not-fit');
  });

  it('applies the history filter to the exported runs', () => {
    const j = JSON.parse(exportView(vm(), 'json', { runFilter: { type: 'f16/f16' } }));
    assert.equal(j.runs.length, 0);
  });
});

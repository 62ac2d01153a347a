import * as assert from 'node:assert/strict';
import { formatBytes, formatCount, formatDuration, formatRate, formatTokens } from '../../../src/core/units';

describe('units', () => {
  it('formats bytes in binary units and says so', () => {
    assert.equal(formatBytes(2 ** 30 * 1.5), '1.5 GiB');
    assert.equal(formatBytes(512 * 2 ** 20), '512.0 MiB');
    assert.equal(formatBytes(300), '300 B');
    assert.equal(formatBytes(NaN), '—');
    assert.equal(formatBytes(undefined), '—');
  });
  it('formats durations, rates, counts and token counts', () => {
    assert.equal(formatDuration(0.0123), '12.3 ms');
    assert.equal(formatDuration(1.25), '1.25 s');
    assert.equal(formatDuration(Infinity), '—');
    assert.equal(formatRate(143.4), '143 tok/s');
    assert.equal(formatRate(12.34), '12.3 tok/s');
    assert.equal(formatCount(131072), '131,072');
    assert.equal(formatTokens(32768), '32K');
  });
});

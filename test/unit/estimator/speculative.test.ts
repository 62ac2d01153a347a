import * as assert from 'node:assert/strict';
import { bestSpeculative, expectedTokensPerStep, speculativeSpeedup } from '../../../src/core/estimator/speculative';

describe('MagicDec speculative decoding model', () => {
  it('Ω(γ, α) = (1 − α^(γ+1)) / (1 − α)', () => {
    assert.ok(Math.abs(expectedTokensPerStep(4, 0.8) - (1 - 0.32768) / 0.2) < 1e-12); // 3.3616
    assert.ok(Math.abs(expectedTokensPerStep(1, 0.5) - 1.5) < 1e-12);
    assert.equal(expectedTokensPerStep(3, 1), 4);
    assert.equal(expectedTokensPerStep(3, 0), 1);
  });

  it('speedup = Ω / (γ·T_D/T_T + T_V/T_T)', () => {
    // γ=4, α=0.8, T_D = 0.1 T_T, T_V = 1.2 T_T: 3.3616 / (0.4 + 1.2) = 2.101
    assert.ok(Math.abs(speculativeSpeedup(4, 0.8, 1, 10, 12) - 3.3616 / 1.6) < 1e-12);
    // A draft as slow as the target never helps.
    assert.ok(speculativeSpeedup(4, 0.8, 10, 10, 10) < 1);
  });

  it('picks the best draft length in 1..8', () => {
    const r = bestSpeculative(0.8, 4, 1, 10, () => 10);
    // with T_V = T_T: speedup(γ) = Ω(γ) / (0.1γ + 1); γ=4: 3.3616/1.4 = 2.401, γ=5: 3.6893/1.5 = 2.460, γ=6: 3.9514/1.6 = 2.470, γ=7: 4.1611/1.7 = 2.448
    assert.equal(r.bestDraftLength, 6);
    assert.ok(Math.abs(r.speedup - 3.3616 / 1.4) < 1e-9);
    assert.ok(r.bestSpeedup >= r.speedup);
    assert.equal(r.perGamma.length, 8);
  });
});

// Mocha reporter: mocha's own "spec" output, then one machine-readable line that scripts/test-all.mjs counts:
//   kvlens-results {"passed":N,"failed":N,"pending":N}
// Usable on plain Node (unit, e2e) and inside the extension host (integration: the line reaches the harness
// through console.log). Load it by absolute path: `reporter: require.resolve('<repo>/scripts/mocha-results-reporter.cjs')`.
'use strict';
/* global require, module, console */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class KvlensResultsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats || {};
      const line = 'kvlens-results ' + JSON.stringify({ passed: s.passes || 0, failed: s.failures || 0, pending: s.pending || 0 });
      // Synchronous: Spec printed its epilogue on this event already (registered first), and mocha's run
      // callback (which may end the extension host) is registered after every reporter listener.
      console.log(line);
    });
  }
}

module.exports = KvlensResultsReporter;

// Loaded with `node --require` into a CLI process the fuzz harness starts: at exit it appends the process's own
// peak RSS (getrusage ru_maxrss) to $KVLENS_RSS_FILE, so a peak in the last milliseconds before exit is not
// missed between two polls of /proc/<pid>/status. Not inherited by processes the CLI spawns (execArgv is not).
'use strict';
const file = process.env.KVLENS_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try { require('node:fs').appendFileSync(file, `${process.pid} ${process.resourceUsage().maxRSS * 1024}\n`); } catch { /* best effort */ }
  });
}

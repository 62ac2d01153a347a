// Loaded with `node --require` into a CLI process the fuzz harness starts: at exit it appends the process's own
// peak RSS (getrusage ru_maxrss) and CPU time to $KVLENS_RSS_FILE, so the last milliseconds before exit are not
// missed between two polls of /proc/<pid>. Not inherited by processes the CLI spawns (execArgv is not).
'use strict';
const file = process.env.KVLENS_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      const u = process.resourceUsage();
      require('node:fs').appendFileSync(file, `${process.pid} ${u.maxRSS * 1024} ${u.userCPUTime + u.systemCPUTime}\n`);
    } catch { /* best effort */ }
  });
}

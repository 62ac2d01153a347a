// Loaded with `node --require` into a CLI process the fuzz harness starts: at exit it appends the process's own
// peak RSS (getrusage ru_maxrss), CPU time (all threads) and its main thread's CPU time to $KVLENS_RSS_FILE, so the last milliseconds before exit are not
// missed between two polls of /proc/<pid>. Not inherited by processes the CLI spawns (execArgv is not).
'use strict';
const file = process.env.KVLENS_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      const fs = require('node:fs');
      const u = process.resourceUsage();
      // The main (JavaScript) thread: /proc/self/task/<pid>/stat utime + stime, in clock ticks (USER_HZ 100).
      let mainMs = 0;
      try {
        const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        mainMs = (Number(f[11]) + Number(f[12])) * 10;
      } catch { /* not Linux */ }
      fs.appendFileSync(file, `${process.pid} ${u.maxRSS * 1024} ${u.userCPUTime + u.systemCPUTime} ${mainMs}\n`);
    } catch { /* best effort */ }
  });
}

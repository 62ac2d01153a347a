// Polls the server's /metrics (and llama-server's /slots) while a step runs. One poll at a time, never
// overlapping; a failed poll is counted, not fatal; the number of scrapes kept is bounded (a long step keeps
// every other one), so memory stays flat however long the run.
import { parsePrometheus, type Scrape } from '../../core/loadtest/prometheus';
import type { Endpoint } from './endpoint';

const MAX_KEPT = 240;

export class Scraper {
  readonly during: Scrape[] = [];
  failures = 0;
  busySlotsMax = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly ep: Endpoint, private readonly intervalMs: number, private readonly slots: boolean) {}

  async once(): Promise<Scrape | undefined> {
    try {
      const r = await this.ep.get('/metrics', { timeoutMs: Math.max(2000, this.intervalMs * 4), maxBytes: 16 << 20 });
      if (r.status !== 200) { this.failures++; return undefined; }
      return parsePrometheus(r.body);
    } catch {
      this.failures++;
      return undefined;
    }
  }

  private async slotsOnce(): Promise<void> {
    try {
      const r = await this.ep.get('/slots', { timeoutMs: 2000, maxBytes: 4 << 20 });
      if (r.status !== 200) return;
      const v = JSON.parse(r.body) as unknown;
      if (!Array.isArray(v)) return;
      const busy = v.filter((s) => s && typeof s === 'object' && (s as { is_processing?: unknown }).is_processing === true).length;
      this.busySlotsMax = Math.max(this.busySlotsMax, busy);
    } catch { /* a missing /slots is not an error */ }
  }

  start(): void {
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      const s = await this.once();
      if (this.slots) await this.slotsOnce();
      if (s) {
        this.during.push(s);
        if (this.during.length > MAX_KEPT) {
          // Keep every other scrape: the series stays spread over the whole step.
          const kept = this.during.filter((_, i) => i % 2 === 0);
          this.during.length = 0;
          this.during.push(...kept);
        }
      }
      if (!this.stopped) this.timer = setTimeout(() => { this.running = tick(); }, this.intervalMs);
    };
    this.running = tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

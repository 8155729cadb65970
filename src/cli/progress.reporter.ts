/**
 * A progress line for long CLI jobs: on a terminal one line rewritten in place (a few times a
 * second at most), on a pipe or a log file a plain line every `pipeEveryMs`, so logs stay readable.
 */

export interface ProgressOptions {
  total: number;
  write: (s: string) => void;
  tty: boolean;
  pipeEveryMs?: number;
  now?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class ProgressReporter {
  private readonly started: number;
  private lastShown = -Infinity;
  private lineOpen = false;
  private shownDone = -1;
  private done = 0;
  private processed = 0;
  private faces = 0;

  constructor(private readonly o: ProgressOptions) {
    this.started = this.now();
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /**
   * `done` counts every finished item, `processed` only those that were analysed (skipped ones
   * are instant and would make the rate and the ETA look better than they are).
   */
  update(done: number, processed: number, faces: number): void {
    this.done = done;
    this.processed = processed;
    this.faces = faces;
    const t = this.now();
    const every = this.o.tty ? 250 : (this.o.pipeEveryMs ?? 10_000);
    if (t - this.lastShown < every && done < this.o.total) return;
    this.lastShown = t;
    this.show();
  }

  line(): string {
    const secs = Math.max((this.now() - this.started) / 1000, 1e-3);
    const rate = this.processed / secs;
    const left = this.o.total - this.done;
    const pct = this.o.total > 0 ? ((100 * this.done) / this.o.total).toFixed(1) : '100.0';
    const eta = left === 0 ? 'done' : rate > 0 ? `ETA ${formatDuration(left / rate)}` : 'ETA ?';
    return `${this.done}/${this.o.total} (${pct}%) · ${(this.faces / secs).toFixed(1)} faces/s · ${eta}`;
  }

  private show(): void {
    this.shownDone = this.done;
    if (this.o.tty) {
      this.o.write(`\r${this.line()}\x1b[K`);
      this.lineOpen = true;
    } else {
      this.o.write(`${this.line()}\n`);
    }
  }

  /** Prints a message without tearing the in-place line. */
  message(s: string): void {
    if (this.lineOpen) this.o.write('\r\x1b[K');
    this.o.write(s.endsWith('\n') ? s : `${s}\n`);
    if (this.lineOpen) this.o.write(this.line());
  }

  finish(): void {
    // A pipe already got the final count when the last item finished.
    if (this.o.tty || this.shownDone !== this.done) this.show();
    if (this.o.tty) this.o.write('\n');
    this.lineOpen = false;
  }
}

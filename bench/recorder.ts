import { scatterSvg, type Band, type Point } from './chart';

/**
 * What one benchmark run saw over time: the latency points and the phase bands of the chart, and
 * the progress log, all on one clock. Created once in main and handed to whatever measures, so
 * nothing outside it collects samples.
 */
export class RunRecorder {
  private readonly points: Point[] = [];
  private readonly bands: Band[] = [];

  constructor(readonly startedAt = Date.now()) {}

  /** Seconds since the run started. */
  since(epochMs: number): number {
    return (epochMs - this.startedAt) / 1000;
  }

  /** A progress line, prefixed with the seconds since the run started. */
  readonly log = (line: string): void => {
    console.log(`[${this.since(Date.now()).toFixed(0).padStart(4)}s] ${line}`);
  };

  /** One latency sample of `series` that started at `startedAt` (epoch ms). */
  point(series: string, startedAt: number, ms: number): void {
    this.points.push({ t: this.since(startedAt), ms, series });
  }

  /** A phase of the run, from `from` (epoch ms) until now. */
  band(label: string, from: number): void {
    this.bands.push({ from: this.since(from), to: this.since(Date.now()), label });
  }

  chart(title: string): string {
    return scatterSvg(title, this.points, this.bands);
  }
}

/**
 * Build progress on stderr: a redrawn bar with an ETA when stderr is a
 * terminal, else a plain line per phase and at most one every few seconds,
 * so logs of scripted builds stay short.
 */
import type { BuildProgress } from '../build';

const BAR_WIDTH = 30;
const PLAIN_INTERVAL_MS = 5000;

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export interface ProgressReporter {
  /** A line about work before the build (reading the input). */
  note(message: string): void;
  update(progress: BuildProgress): void;
  /** Ends the bar's line, if one is drawn. */
  finish(): void;
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const tty = stream.isTTY === true;
  let phase = '';
  let phaseStart = 0;
  let lastPlain = 0;
  let drawn = false;

  const clear = () => {
    if (drawn) stream.write('\r\x1b[K');
    drawn = false;
  };

  return {
    note(message) {
      clear();
      stream.write(`${message}\n`);
    },
    update({ phase: name, done, total }) {
      const now = Date.now();
      const fresh = name !== phase;
      if (fresh) {
        phase = name;
        phaseStart = now;
      }
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      if (tty) {
        const filled = Math.round(fraction * BAR_WIDTH);
        const elapsed = now - phaseStart;
        // The rate of this phase so far: phases run at very different speeds.
        const eta = done > 0 && done < total ? ` ETA ${seconds((elapsed * (total - done)) / done)}` : '';
        stream.write(`\r\x1b[K${name.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${total}${eta}`);
        drawn = true;
      } else if (fresh || now - lastPlain >= PLAIN_INTERVAL_MS) {
        lastPlain = now;
        stream.write(`${name}: ${done}/${total}\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

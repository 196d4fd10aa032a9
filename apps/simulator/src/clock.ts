/**
 * Simulated time: it starts at a chosen instant and runs `speed` times faster than real time.
 * Every wait of the simulation goes through here, so that stopping the clock ends them all at once.
 */

export interface SimClock {
  readonly speed: number;
  /** Simulated now, in epoch milliseconds. */
  now(): number;
  /** The real instant (epoch ms) at which a simulated instant happens. */
  toReal(simMs: number): number;
  /** Waits until the simulated instant; resolves false at once if the clock is (or gets) stopped. */
  until(simMs: number): Promise<boolean>;
  /** Waits this many real milliseconds; false if the clock stopped meanwhile. */
  sleep(realMs: number): Promise<boolean>;
  /** Ends every wait (they resolve false) and refuses new ones. */
  stop(): void;
  readonly stopped: boolean;
}

/** The longest a Node timer waits in one go (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createSimClock(options: { speed: number; start: number; realNow?: () => number }): SimClock {
  const { speed, start } = options;
  if (!(speed > 0)) throw new RangeError(`speed must be positive, not ${speed}`);
  const realNow = options.realNow ?? Date.now;
  const realStart = realNow();
  const waiting = new Map<ReturnType<typeof setTimeout>, (done: boolean) => void>();
  let stopped = false;

  function sleep(realMs: number): Promise<boolean> {
    if (stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          waiting.delete(timer);
          resolve(!stopped);
        },
        Math.min(MAX_TIMER_MS, Math.max(0, realMs)),
      );
      waiting.set(timer, resolve);
    });
  }

  const clock: SimClock = {
    speed,
    now: () => start + (realNow() - realStart) * speed,
    toReal: (simMs) => realStart + (simMs - start) / speed,
    async until(simMs) {
      // Long waits come back in steps, so that a timer never has to wait more than Node allows.
      while (!stopped) {
        const delay = clock.toReal(simMs) - realNow();
        if (delay <= 0) return true;
        if (!(await sleep(delay))) return false;
      }
      return false;
    },
    sleep,
    stop() {
      stopped = true;
      for (const [timer, resolve] of waiting) {
        clearTimeout(timer);
        resolve(false);
      }
      waiting.clear();
    },
    get stopped() {
      return stopped;
    },
  };
  return clock;
}

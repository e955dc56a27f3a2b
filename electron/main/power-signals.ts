// powerMonitor -> labor clock. Lock, unlock, suspend and resume arrive as events; system idle state is
// also polled, because some desktops (many Linux ones) never emit lock-screen and only report 'locked'
// through getSystemIdleState. Signals are edge-triggered so the clock sees each transition once.
// Plain idleness needs no signal here: the core ends a segment at the last input it was told about.
import type { LaborSignal } from '../../shared/desk-api';

type Signal = LaborSignal['signal'];

export interface PowerMonitorLike {
  on(event: 'lock-screen' | 'unlock-screen' | 'suspend' | 'resume', listener: () => void): unknown;
  removeListener(event: 'lock-screen' | 'unlock-screen' | 'suspend' | 'resume', listener: () => void): unknown;
  getSystemIdleState(idleThresholdSec: number): 'active' | 'idle' | 'locked' | 'unknown';
}

export interface PowerSignalOptions {
  signal: (signal: Signal) => void;
  pollMs?: number;
  idleThresholdSec?: number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

export const POWER_EVENT_SIGNALS = {
  'lock-screen': 'lock',
  'unlock-screen': 'unlock',
  suspend: 'suspend',
  resume: 'resume',
} as const satisfies Record<string, Signal>;

/** Wires powerMonitor to labor signals; returns a function that unwires it. */
export function wirePowerSignals(powerMonitor: PowerMonitorLike, opts: PowerSignalOptions): () => void {
  const every = opts.setInterval ?? ((fn, ms) => setInterval(fn, ms));
  const stop = opts.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout));
  let locked = false;
  let suspended = false;

  const emit = (s: Signal) => {
    if (s === 'lock') {
      if (locked) return;
      locked = true;
    } else if (s === 'unlock') {
      if (!locked) return;
      locked = false;
    } else if (s === 'suspend') {
      if (suspended) return;
      suspended = true;
    } else if (s === 'resume') {
      if (!suspended) return;
      suspended = false;
    }
    opts.signal(s);
  };

  const listeners = Object.entries(POWER_EVENT_SIGNALS).map(([event, signal]) => {
    const listener = () => emit(signal);
    powerMonitor.on(event as keyof typeof POWER_EVENT_SIGNALS, listener);
    return [event as keyof typeof POWER_EVENT_SIGNALS, listener] as const;
  });

  const poll = () => {
    const state = powerMonitor.getSystemIdleState(opts.idleThresholdSec ?? 60);
    if (state === 'locked') emit('lock');
    else if (state === 'active' || state === 'idle') emit('unlock');
  };
  const handle = every(poll, opts.pollMs ?? 5_000);

  return () => {
    stop(handle);
    for (const [event, listener] of listeners) powerMonitor.removeListener(event, listener);
  };
}

// The supervisor's and owner's views' data: the last answer of each ops read (method + input), its
// freshness as the core reports it (live, or the stored answer while the server is away), and the
// error of the last attempt. Views poll while they are open, so numbers update by themselves.
import { useEffect } from 'react';
import { create } from 'zustand';
import type { DeskInput, DeskMethod, DeskOutput } from '../../shared/desk-api';
import { errorCode, errorMessage } from '../desk/desk-error';
import { desk } from './desk';

export interface OpsSlot {
  value: unknown;
  loading: boolean;
  error: { code: string; message: string } | null;
  /** Wall-clock ms of the last answer (ok or not). */
  at: number | null;
}

const EMPTY: OpsSlot = { value: null, loading: false, error: null, at: null };

export const useOps = create<{ slots: Record<string, OpsSlot> }>(() => ({ slots: {} }));

export const opsKey = (method: string, input: unknown) => `${method} ${JSON.stringify(input ?? {})}`;

function patch(key: string, p: Partial<OpsSlot>): void {
  useOps.setState((s) => ({ slots: { ...s.slots, [key]: { ...(s.slots[key] ?? EMPTY), ...p } } }));
}

/** Reads once; the previous value stays on screen while the new one loads and when it fails. */
export async function loadOps<M extends DeskMethod>(method: M, input: DeskInput<M>): Promise<DeskOutput<M> | null> {
  const key = opsKey(method, input);
  patch(key, { loading: true });
  try {
    const value = await desk().call(method, input);
    patch(key, { value, loading: false, error: null, at: Date.now() });
    return value;
  } catch (e) {
    patch(key, { loading: false, error: { code: errorCode(e), message: errorMessage(e) }, at: Date.now() });
    return null;
  }
}

/** The slot of one read, loaded on mount and every `everyMs` while mounted (0: once). */
export function useOpsRead<M extends DeskMethod>(method: M, input: DeskInput<M>, everyMs = 0): OpsSlot & { value: DeskOutput<M> | null; reload(): void } {
  const key = opsKey(method, input);
  const slot = useOps((s) => s.slots[key]) ?? EMPTY;
  useEffect(() => {
    let live = true;
    const run = () => {
      if (live) void loadOps(method, JSON.parse(key.slice(method.length + 1)) as DeskInput<M>);
    };
    run();
    const timer = everyMs > 0 ? setInterval(run, everyMs) : null;
    return () => {
      live = false;
      if (timer) clearInterval(timer);
    };
  }, [key, method, everyMs]);
  return { ...slot, value: slot.value as DeskOutput<M> | null, reload: () => void loadOps(method, input) };
}

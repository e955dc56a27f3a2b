// settings.set takes a SettingsPatch: only the keys given change. The UI sends only what the reviewer
// actually changed, so a stale copy of another setting (changed meanwhile by another window, or the
// shell) is never written back.
import type { DeskInput, Settings } from '../../shared/desk-api';

export type SettingsPatch = DeskInput<'settings.set'>;

function sameKeymap(a: Settings['keymap'], b: NonNullable<SettingsPatch['keymap']>): boolean {
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k].length === b[k].length && a[k].every((c, i) => c === b[k][i]));
}

/** The part of `patch` that differs from `current` (null when nothing does). */
export function changedSettings(current: Settings | null, patch: SettingsPatch): SettingsPatch | null {
  if (!current) return Object.keys(patch).length ? { ...patch } : null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch) as [keyof Settings, unknown][]) {
    if (value === undefined) continue;
    const same = key === 'keymap' ? sameKeymap(current.keymap, value as Settings['keymap']) : current[key] === value;
    if (!same) out[key] = value;
  }
  return Object.keys(out).length ? (out as SettingsPatch) : null;
}

// Chords as strings (shared/keymap.ts syntax) and the pure state machine that turns a stream of
// chords into actions, including `g q`-style sequences.

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

const KEY_NAMES: Record<string, string> = {
  arrowdown: 'down',
  arrowup: 'up',
  arrowleft: 'left',
  arrowright: 'right',
  escape: 'esc',
  ' ': 'space',
  spacebar: 'space',
  del: 'delete',
};
const MODIFIER_KEYS = new Set(['control', 'shift', 'alt', 'meta', 'altgraph', 'capslock', 'os', 'hyper', 'super', 'fn']);
const MODIFIER_ORDER = ['ctrl', 'alt', 'shift', 'meta'] as const;

function keyName(raw: string): string {
  const lower = raw.toLowerCase();
  return KEY_NAMES[lower] ?? lower;
}

/** True for one printable character that is not a letter: shift is part of the character itself. */
function isSymbol(key: string): boolean {
  return key.length === 1 && key.toLowerCase() === key.toUpperCase() && key !== ' ';
}

/** The chord of a keydown, or null for a bare modifier key. */
export function chordFromEvent(e: KeyLike): string | null {
  if (!e.key || e.key === 'Unidentified' || e.key === 'Dead') return null;
  const name = keyName(e.key);
  if (MODIFIER_KEYS.has(name)) return null;
  const mods: string[] = [];
  if (e.ctrlKey) mods.push('ctrl');
  if (e.altKey) mods.push('alt');
  if (e.shiftKey && !isSymbol(e.key)) mods.push('shift');
  if (e.metaKey) mods.push('meta');
  return [...mods, name].join('+');
}

/** Canonical form of a user-written chord or sequence ("Ctrl+Shift+A" -> "ctrl+shift+a"); null if invalid. */
export function normalizeChord(text: string): string | null {
  const steps = text.trim().split(/\s+/).filter(Boolean);
  if (steps.length === 0 || steps.length > 3) return null;
  const out: string[] = [];
  for (const step of steps) {
    // A lone "+" is a key; otherwise split on "+" separators.
    const parts = step === '+' ? ['+'] : step.endsWith('++') ? [...step.slice(0, -2).split('+'), '+'] : step.split('+');
    const key = parts.pop();
    if (!key) return null;
    const mods = new Set<string>();
    for (const p of parts) {
      const m = p.toLowerCase();
      const canon = m === 'control' ? 'ctrl' : m === 'cmd' || m === 'command' || m === 'super' ? 'meta' : m === 'option' ? 'alt' : m;
      if (!(MODIFIER_ORDER as readonly string[]).includes(canon)) return null;
      mods.add(canon);
    }
    const name = keyName(key);
    if (isSymbol(key)) mods.delete('shift');
    else if (key.length === 1 && key !== key.toLowerCase()) mods.add('shift'); // "A" means shift+a
    out.push([...MODIFIER_ORDER.filter((m) => mods.has(m)), name].join('+'));
  }
  return out.join(' ');
}

const DISPLAY: Record<string, string> = {
  ctrl: 'Ctrl', alt: 'Alt', shift: 'Shift', meta: 'Cmd', down: '↓', up: '↑', left: '←', right: '→',
  esc: 'Esc', enter: 'Enter', space: 'Space', tab: 'Tab', backspace: 'Backspace', delete: 'Delete',
};

/** Display keys of one chord: "ctrl+k" -> ["Ctrl", "K"]. */
export function chordKeys(chord: string): string[] {
  const parts = chord === '+' ? ['+'] : chord.split('+').map((p, i, all) => (p === '' && i === all.length - 1 ? '+' : p)).filter(Boolean);
  return parts.map((p) => DISPLAY[p] ?? (p.length === 1 ? p.toUpperCase() : p[0].toUpperCase() + p.slice(1)));
}

/** "g q" -> "G then Q", "ctrl+k" -> "Ctrl+K". */
export function formatChord(sequence: string): string {
  return sequence
    .split(' ')
    .map((c) => chordKeys(c).join('+'))
    .join(' then ');
}

export interface Binding {
  sequence: string;
  actionId: string;
}

export type ChordStep =
  | { kind: 'action'; actionId: string; pending: [] }
  | { kind: 'pending'; pending: string[] }
  | { kind: 'none'; pending: [] };

/**
 * One step of the matcher: given the chords typed so far in an unfinished sequence and a new chord,
 * either fire an action, wait for more, or match nothing. An unfinished prefix that the new chord
 * does not continue is dropped, and the new chord is tried on its own.
 */
export function stepChord(bindings: readonly Binding[], pending: readonly string[], chord: string): ChordStep {
  const attempt = (prefix: readonly string[]): ChordStep | null => {
    const typed = [...prefix, chord].join(' ');
    const exact = bindings.find((b) => b.sequence === typed);
    if (exact) return { kind: 'action', actionId: exact.actionId, pending: [] };
    if (bindings.some((b) => b.sequence.startsWith(typed + ' '))) return { kind: 'pending', pending: [...prefix, chord] };
    return null;
  };
  return (pending.length > 0 ? attempt(pending) : null) ?? attempt([]) ?? { kind: 'none', pending: [] };
}

/** Bindings active in a view, from the effective keymap and each action's views. */
export function bindingsFor(
  keymap: Record<string, readonly string[]>,
  actions: readonly { id: string; views?: readonly string[] }[],
  view: string,
): Binding[] {
  const out: Binding[] = [];
  for (const a of actions) {
    if (a.views && !a.views.includes(view)) continue;
    for (const seq of keymap[a.id] ?? []) out.push({ sequence: seq, actionId: a.id });
  }
  return out;
}

export interface KeyConflict {
  sequence: string;
  actionIds: string[];
}

/**
 * Sequences bound to two actions that can fire in the same view, and sequences that are a prefix of
 * another (the longer one could never fire).
 */
export function findConflicts(
  keymap: Record<string, readonly string[]>,
  actions: readonly { id: string; views?: readonly string[] }[],
  views: readonly string[],
): KeyConflict[] {
  const found = new Map<string, Set<string>>();
  for (const view of views) {
    const bindings = bindingsFor(keymap, actions, view);
    for (const b of bindings) {
      const clashes = bindings.filter(
        (o) => o.actionId !== b.actionId && (o.sequence === b.sequence || o.sequence.startsWith(b.sequence + ' ')),
      );
      if (clashes.length === 0) continue;
      const set = found.get(b.sequence) ?? new Set<string>();
      set.add(b.actionId);
      for (const c of clashes) set.add(c.actionId);
      found.set(b.sequence, set);
    }
  }
  return [...found].map(([sequence, ids]) => ({ sequence, actionIds: [...ids].sort() }));
}

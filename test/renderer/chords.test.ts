import { describe, expect, it } from 'vitest';
import { KEYMAP_ACTIONS, KEYMAP_VIEWS, effectiveKeymap } from '../../shared/keymap';
import { bindingsFor, chordFromEvent, findConflicts, formatChord, normalizeChord, stepChord } from '../../renderer/keyboard/chords';

const key = (k: string, mods: Partial<{ ctrl: boolean; shift: boolean; alt: boolean; meta: boolean }> = {}) => ({
  key: k, ctrlKey: !!mods.ctrl, shiftKey: !!mods.shift, altKey: !!mods.alt, metaKey: !!mods.meta,
});

describe('chordFromEvent', () => {
  it('names plain, shifted, control and special keys', () => {
    expect(chordFromEvent(key('a'))).toBe('a');
    expect(chordFromEvent(key('A', { shift: true }))).toBe('shift+a');
    expect(chordFromEvent(key('k', { ctrl: true }))).toBe('ctrl+k');
    expect(chordFromEvent(key('Z', { ctrl: true, shift: true }))).toBe('ctrl+shift+z');
    expect(chordFromEvent(key('ArrowDown'))).toBe('down');
    expect(chordFromEvent(key('Escape'))).toBe('esc');
    expect(chordFromEvent(key('Enter', { ctrl: true }))).toBe('ctrl+enter');
  });
  it('treats shift as part of symbol characters', () => {
    expect(chordFromEvent(key('?', { shift: true }))).toBe('?');
    expect(chordFromEvent(key('/'))).toBe('/');
  });
  it('ignores bare modifiers', () => {
    expect(chordFromEvent(key('Shift', { shift: true }))).toBeNull();
    expect(chordFromEvent(key('Control', { ctrl: true }))).toBeNull();
  });
});

describe('normalizeChord', () => {
  it('canonicalises modifiers, case and sequences', () => {
    expect(normalizeChord('Ctrl+Shift+A')).toBe('ctrl+shift+a');
    expect(normalizeChord('shift+ctrl+a')).toBe('ctrl+shift+a');
    expect(normalizeChord('A')).toBe('shift+a');
    expect(normalizeChord('g  Q')).toBe('g shift+q');
    expect(normalizeChord('g q')).toBe('g q');
    expect(normalizeChord('Escape')).toBe('esc');
    expect(normalizeChord('shift+?')).toBe('?');
  });
  it('rejects junk', () => {
    expect(normalizeChord('')).toBeNull();
    expect(normalizeChord('hyper+a')).toBeNull();
  });
});

describe('stepChord', () => {
  const bindings = [
    { sequence: 'a', actionId: 'approve' },
    { sequence: 'g q', actionId: 'go.queue' },
    { sequence: 'g t', actionId: 'go.triage' },
    { sequence: 'ctrl+k', actionId: 'palette' },
  ];
  it('fires single chords', () => {
    expect(stepChord(bindings, [], 'a')).toEqual({ kind: 'action', actionId: 'approve', pending: [] });
  });
  it('waits on a prefix, then fires the sequence', () => {
    const first = stepChord(bindings, [], 'g');
    expect(first).toEqual({ kind: 'pending', pending: ['g'] });
    expect(stepChord(bindings, first.pending, 't')).toEqual({ kind: 'action', actionId: 'go.triage', pending: [] });
  });
  it('drops a broken prefix and tries the chord alone', () => {
    expect(stepChord(bindings, ['g'], 'a')).toEqual({ kind: 'action', actionId: 'approve', pending: [] });
    expect(stepChord(bindings, ['g'], 'x')).toEqual({ kind: 'none', pending: [] });
  });
  it('matches nothing for unbound keys', () => {
    expect(stepChord(bindings, [], 'q').kind).toBe('none');
  });
});

describe('keymap', () => {
  it('has no conflicting defaults in any view', () => {
    expect(findConflicts(effectiveKeymap(), KEYMAP_ACTIONS, KEYMAP_VIEWS)).toEqual([]);
  });
  it('covers every key of DESIGN §9', () => {
    const km = effectiveKeymap();
    const all = Object.values(km).flat();
    for (const k of ['j', 'down', 'k', 'up', 'a', 'r', 'c', 'e', 'd', 't', 'n', 'z', 'ctrl+z', 'x', 'shift+a', '/', 'ctrl+k', '?', 'g q', 'g t', 'g d', 'g s', 'esc']) {
      expect(all, k).toContain(k);
    }
  });
  it('applies overrides and reports a clash they create', () => {
    const km = effectiveKeymap({ 'decide.defer': ['a'] });
    expect(km['decide.defer']).toEqual(['a']);
    const clashes = findConflicts(km, KEYMAP_ACTIONS, KEYMAP_VIEWS);
    expect(clashes).toEqual([{ sequence: 'a', actionIds: ['decide.approve', 'decide.defer'] }]);
    const triage = bindingsFor(km, KEYMAP_ACTIONS, 'triage');
    expect(triage.filter((b) => b.sequence === 'd')).toEqual([]);
  });
  it('reports a chord that shadows a sequence', () => {
    const km = effectiveKeymap({ 'decide.note': ['g'] });
    const clashes = findConflicts(km, KEYMAP_ACTIONS, KEYMAP_VIEWS);
    expect(clashes.some((c) => c.sequence === 'g' && c.actionIds.includes('decide.note'))).toBe(true);
  });
  it('scopes keys by view', () => {
    const queue = bindingsFor(effectiveKeymap(), KEYMAP_ACTIONS, 'queue').map((b) => b.actionId);
    expect(queue).toContain('queue.bulkApprove');
    expect(queue).not.toContain('decide.approve');
  });
  it('formats chords for people', () => {
    expect(formatChord('ctrl+k')).toBe('Ctrl+K');
    expect(formatChord('g q')).toBe('G then Q');
    expect(formatChord('down')).toBe('↓');
    expect(formatChord('?')).toBe('?');
  });
});

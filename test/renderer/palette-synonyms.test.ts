// The command palette finds commands by their on-screen names and common synonyms (issue 14 item 9).
// Scored with cmdk's own filter, the one the palette runs.
import { defaultFilter } from 'cmdk';
import { describe, expect, it } from 'vitest';
import { COMMAND_SYNONYMS, commandKeywords } from '../../shared/command-synonyms';
import { KEYMAP_ACTIONS, type KeymapAction } from '../../shared/keymap';
import { rankCommands } from '../../renderer/logic/palette-rank';

const actions = KEYMAP_ACTIONS as readonly KeymapAction[];
/** The palette's best match for a search, as the palette ranks them. */
const best = (search: string) => rankCommands(actions, search)[0]?.id;

describe('command palette synonyms (issue 14 item 9)', () => {
  it.each([
    ['my day', 'go.dashboard'],
    ['stats', 'go.dashboard'],
    ['skip', 'decide.defer'],
    ['search', 'queue.filter'],
    ['dark mode', 'app.toggleTheme'],
    ['conflicts', 'go.sync'],
    ['preferences', 'go.settings'],
    ['accept', 'decide.approve'],
    ['comment', 'decide.note'],
    ['fix', 'decide.correct'],
    ['shortcuts', 'app.help'],
  ])('"%s" finds %s first', (search, id) => {
    expect(best(search)).toBe(id);
  });

  it('ranks best first, keeps every command for a blank search, and drops non-matches', () => {
    expect(rankCommands(actions, '  ')).toHaveLength(actions.length);
    expect(rankCommands(actions, 'zzqx')).toEqual([]);
    const ranked = rankCommands(actions, 'search').map((a) => a.id);
    expect(ranked[0]).toBe('queue.filter');
    expect(ranked.indexOf('decide.escalate')).toBeGreaterThan(0);
  });

  it('labels still match as typed', () => {
    for (const a of actions) expect(best(a.label)).toBe(a.id);
  });

  it('the table names only real commands, each synonym once', () => {
    const ids = new Set([...actions.map((a) => a.id), 'session.signOut']);
    const seen = new Map<string, string>();
    for (const [id, words] of Object.entries(COMMAND_SYNONYMS)) {
      expect(ids.has(id), id).toBe(true);
      for (const w of words ?? []) {
        expect(seen.get(w), `"${w}" on ${id} and ${seen.get(w)}`).toBeUndefined();
        seen.set(w, id);
      }
    }
  });

  it('without the synonyms "my day" would not find the dashboard (the test has teeth)', () => {
    const dash = actions.find((a) => a.id === 'go.dashboard')!;
    expect(defaultFilter('Go to dashboard (my stats) go.dashboard', 'my day')).toBe(0);
    expect(defaultFilter(`${dash.label} ${dash.id}`, 'my day', commandKeywords(dash.id))).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import { Settings } from '../../shared/desk-api';
import { changedSettings } from '../../renderer/logic/settings-patch';

const current = Settings.parse({ theme: 'dark', keymap: { 'decide.approve': ['y'] } });

describe('settings patch', () => {
  it('keeps only the keys that differ', () => {
    expect(changedSettings(current, { theme: 'dark', leaseMinutes: 45 })).toEqual({ leaseMinutes: 45 });
    expect(changedSettings(current, { theme: 'light' })).toEqual({ theme: 'light' });
  });
  it('sends nothing when nothing changed', () => {
    expect(changedSettings(current, { theme: 'dark', claimTargetSize: 50 })).toBeNull();
    expect(changedSettings(current, { keymap: { 'decide.approve': ['y'] } })).toBeNull();
  });
  it('compares keymaps by content', () => {
    expect(changedSettings(current, { keymap: { 'decide.approve': ['y', 'a'] } })).toEqual({ keymap: { 'decide.approve': ['y', 'a'] } });
    expect(changedSettings(current, { keymap: {} })).toEqual({ keymap: {} });
    expect(changedSettings(current, { keymap: { 'decide.reject': ['y'] } })).toEqual({ keymap: { 'decide.reject': ['y'] } });
  });
  it('passes the patch through when no settings are known yet', () => {
    expect(changedSettings(null, { theme: 'light' })).toEqual({ theme: 'light' });
  });
});

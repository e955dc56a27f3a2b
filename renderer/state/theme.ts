// Light and dark themes: follow the system unless the reviewer chose one in settings.
import type { Settings } from '../../shared/desk-api';
import { errorMessage } from '../desk/desk-error';
import { changedSettings, type SettingsPatch } from '../logic/settings-patch';
import { applySettings, pushToast, useApp } from './app-store';
import { desk } from './desk';

const media = () => window.matchMedia('(prefers-color-scheme: dark)');

export function resolvedTheme(choice: Settings['theme'] | undefined): 'light' | 'dark' {
  if (choice === 'light' || choice === 'dark') return choice;
  return media().matches ? 'dark' : 'light';
}

export function applyTheme(): void {
  const theme = resolvedTheme(useApp.getState().settings?.theme);
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
}

export function installThemeFollower(): () => void {
  const m = media();
  const onChange = () => applyTheme();
  m.addEventListener('change', onChange);
  const unsub = useApp.subscribe((s, prev) => {
    if (s.settings?.theme !== prev.settings?.theme) applyTheme();
  });
  applyTheme();
  return () => {
    m.removeEventListener('change', onChange);
    unsub();
  };
}

/** Saves only what differs from the settings on screen (settings.set changes only the keys it gets). */
export async function saveSettings(patch: SettingsPatch): Promise<void> {
  const changed = changedSettings(useApp.getState().settings, patch);
  if (!changed) return;
  try {
    applySettings(await desk().call('settings.set', changed));
  } catch (e) {
    pushToast(`Settings not saved: ${errorMessage(e)}`, 'error');
  }
}

export async function toggleTheme(): Promise<void> {
  const next = resolvedTheme(useApp.getState().settings?.theme) === 'dark' ? 'light' : 'dark';
  await saveSettings({ theme: next });
}

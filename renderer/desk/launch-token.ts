// Browser mode's launch token: arrives as #launch=<token>, is kept in sessionStorage so a reload
// works, and is removed from the address bar so it is not bookmarked or shared by accident.

const KEY = 'exception-desk.launch';

export function parseLaunchHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('launch');
  return token && token.length > 0 ? token : null;
}

/** The token this page load will use, without moving it (the early calls read it before the bundle takes it). */
export function readLaunchToken(): string | null {
  const fromHash = parseLaunchHash(window.location.hash);
  if (fromHash) return fromHash;
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function takeLaunchToken(): string | null {
  const fromHash = parseLaunchHash(window.location.hash);
  if (fromHash) {
    try {
      sessionStorage.setItem(KEY, fromHash);
    } catch {
      // Storage can be disabled; the token still works for this page load.
    }
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

// "Working from a bundle" with the time left on its lease: in the status bar and on the Sync view.
import { useEffect } from 'react';
import type { BundleStatus } from '../../shared/desk-bundles';
import { useNow } from '../hooks/use-now';
import { setView, useApp } from '../state/app-store';
import { loadBundleStatusSoon, useBundles } from '../state/bundles-store';
import { afterFirstItem } from '../state/startup-marks';

export function timeLeft(untilIso: string, now: number): string {
  const ms = Date.parse(untilIso) - now;
  if (ms <= 0) return 'expired';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min left` : `${Math.floor(hours / 24)} d ${hours % 24} h left`;
}

export function BundleLeaseText({ work }: { work: NonNullable<BundleStatus['work']> }) {
  const now = useNow();
  return (
    <>
      Working from bundle <code>{work.bundleId.slice(0, 13)}</code>: {work.remaining.toLocaleString()} of {work.items.toLocaleString()} item(s)
      still to decide; the lease ends {new Date(work.leaseExpiresAt).toLocaleString()} ({timeLeft(work.leaseExpiresAt, now)}).
    </>
  );
}

/** Status-bar badge, shown only while a work bundle's lease lasts. Refreshes with the assigned count (coalesced). */
export function BundleLeaseBadge() {
  const work = useBundles((s) => s.status?.work ?? null);
  const assigned = useApp((s) => s.sync?.assigned);
  const now = useNow();
  // Not before the first item is painted (state/startup-marks.ts): the badge is not what the reviewer waits for.
  useEffect(() => { void afterFirstItem().then(loadBundleStatusSoon); }, [assigned]);
  if (!work || Date.parse(work.leaseExpiresAt) <= now) return null;
  return (
    <button type="button" className="sb-item link-btn bundle-badge" data-testid="bundle-badge" onClick={() => setView('sync')}
      title={`Working from a work bundle; its lease ends ${new Date(work.leaseExpiresAt).toLocaleString()}`}>
      Bundle · {timeLeft(work.leaseExpiresAt, now)}
    </button>
  );
}

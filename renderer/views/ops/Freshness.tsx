// How fresh the figures on screen are: live (computed at …) or, while the server is away, the last
// stored answer with its age (DESIGN §8: the last figures stay readable offline, marked with their time).
import { formatDistanceStrict } from 'date-fns';
import type { OpsFreshness } from '../../../shared/ops-desk';
import { useNow } from '../../hooks/use-now';

export function Freshness({ freshness, loading }: { freshness: OpsFreshness | null | undefined; loading?: boolean }) {
  const now = useNow();
  if (!freshness) return loading ? <span className="muted" aria-live="polite">Loading…</span> : null;
  const computed = new Date(freshness.computedAt);
  const age = formatDistanceStrict(computed, now, { roundingMethod: 'floor' });
  return (
    <span
      className={`ops-freshness${freshness.fromCache ? ' is-stale' : ''}`}
      data-testid="ops-freshness"
      data-from-cache={freshness.fromCache}
      data-computed-at={freshness.computedAt}
      role="status"
      title={freshness.staleReason ?? undefined}
    >
      {freshness.fromCache ? (
        <>
          Offline: last figures, computed <time dateTime={freshness.computedAt}>{age} ago</time> ({computed.toLocaleString()})
        </>
      ) : (
        <>
          Computed <time dateTime={freshness.computedAt}>{age} ago</time>
        </>
      )}
    </span>
  );
}

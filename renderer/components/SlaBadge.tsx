import { useNow } from '../hooks/use-now';
import { formatCountdown } from '../../shared/durations';
import { SLA_LABEL, slaInfo } from '../logic/sla';

interface Props {
  enqueuedAt: string;
  slaDueAt: string;
  targetMinutes?: number | null;
  testId?: string;
  compact?: boolean;
}

/** SLA countdown; its colour moves ok -> at risk (< 20 % left) -> breached. */
export function SlaBadge({ enqueuedAt, slaDueAt, targetMinutes, testId, compact }: Props) {
  const now = useNow();
  const sla = slaInfo(now, enqueuedAt, slaDueAt, targetMinutes);
  const when = sla.remainingMs < 0 ? `${formatCountdown(sla.remainingMs).slice(1)} over` : `${formatCountdown(sla.remainingMs)} left`;
  return (
    <span
      className={`sla-badge sla-${sla.state}${compact ? ' compact' : ''}`}
      data-testid={testId}
      data-sla-state={sla.state}
      title={`SLA due ${new Date(slaDueAt).toLocaleString()}`}
    >
      <span className="dot" aria-hidden="true" />
      {compact ? when : `${SLA_LABEL[sla.state]} · ${when}`}
    </span>
  );
}

/** Model confidence as a percentage with a small bar. */
export function ConfidenceMeter({ value, testId }: { value: number | null; testId?: string }) {
  if (value === null) {
    return (
      <span className="confidence muted" data-testid={testId}>
        No score
      </span>
    );
  }
  const pct = Math.round(value * 100);
  const band = value < 0.5 ? 'low' : value < 0.8 ? 'mid' : 'high';
  return (
    <span className={`confidence conf-${band}`} data-testid={testId} title="Model confidence">
      <span className="conf-bar" aria-hidden="true">
        <span className="conf-fill" style={{ width: `${pct}%` }} />
      </span>
      <span>{pct}%</span>
      <span className="sr-only"> model confidence</span>
    </span>
  );
}

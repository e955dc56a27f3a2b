import type { ExceptionClass } from '../../shared/domain';

export const CLASS_LABEL: Record<ExceptionClass, string> = {
  policy: 'Policy',
  confidence: 'Confidence',
  data_integrity: 'Data integrity',
  business_rule: 'Business rule',
};

export function ClassBadge({ value, testId }: { value: ExceptionClass; testId?: string }) {
  return (
    <span className={`class-badge class-${value}`} data-testid={testId} data-class={value}>
      <span className="dot" aria-hidden="true" />
      {CLASS_LABEL[value]}
    </span>
  );
}

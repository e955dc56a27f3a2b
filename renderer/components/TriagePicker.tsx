import type { ExceptionClass } from '../../shared/domain';
import { EXCEPTION_CLASSES } from '../../shared/desk-names';
import { reasonNeedsComment } from '../../shared/reason-comment';
import { RECLASSIFY_REASONS } from '../../shared/reclassify-reasons';
import { closeOverlay, openOverlay, type PickerPurpose } from '../state/app-store';
import { decide, useTriage } from '../state/triage-store';
import { CLASS_LABEL } from './ClassBadge';
import { PickerDialog, type PickerOption } from './PickerDialog';

const TITLES: Record<PickerPurpose, string> = {
  reject: 'Reject: why is the output wrong?',
  escalate: 'Escalate to the owner: why?',
  'reclassify-class': 'Reclassify as…',
  'reclassify-reason': 'Reclassify: why?',
};

/** The reason (or class) pickers of reject, escalate and reclassify. */
export function TriagePicker({ purpose, exceptionClass }: { purpose: PickerPurpose; exceptionClass?: string }) {
  const detail = useTriage((s) => s.current);
  if (!detail) return null;
  const { item, queue } = detail;
  // Reclassify has reasons of its own (issue 14 item 10); reject and escalate use the queue's.
  const codes = purpose === 'reclassify-reason' ? RECLASSIFY_REASONS : (queue?.reasonCodes ?? [{ code: 'other', label: 'Other' }]);
  const reasons: PickerOption[] = codes.map((r) => ({ value: r.code, label: r.label, needsComment: reasonNeedsComment(r) }));

  if (purpose === 'reclassify-class') {
    const options = EXCEPTION_CLASSES.filter((c) => c !== item.exceptionClass).map((c) => ({ value: c, label: CLASS_LABEL[c] }));
    return (
      <PickerDialog
        title={TITLES[purpose]}
        description={`Now: ${CLASS_LABEL[item.exceptionClass]}`}
        options={options}
        onClose={closeOverlay}
        onPick={(c) => openOverlay({ kind: 'picker', purpose: 'reclassify-reason', exceptionClass: c })}
      />
    );
  }

  const onPick = (reasonCode: string, comment?: string) => {
    closeOverlay();
    const said = comment ? { comment } : {};
    if (purpose === 'reject') void decide('reject', { reasonCode, ...said });
    else if (purpose === 'escalate') void decide('escalate', { reasonCode, ...said });
    else void decide('reclassify', { reasonCode, exceptionClass: exceptionClass as ExceptionClass, ...said });
  };
  const description =
    purpose === 'escalate' && queue
      ? `Goes to ${queue.ownerName}, owner of ${queue.name}`
      : purpose === 'reclassify-reason'
        ? `To ${CLASS_LABEL[exceptionClass as ExceptionClass] ?? exceptionClass}`
        : undefined;
  const draft = { itemId: item.id, scope: purpose === 'reclassify-reason' ? `${purpose}:${exceptionClass ?? ''}` : purpose };
  return <PickerDialog title={TITLES[purpose]} description={description} options={reasons} onClose={closeOverlay} onPick={onPick} draft={draft} />;
}

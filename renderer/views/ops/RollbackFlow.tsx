// The guided rollback (owner): filter → preview with count and sample → confirm with a reason →
// progress → result, in one dialog; Esc backs out one step (rollback-flow.ts `back`).
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { format } from 'date-fns';
import type { Queue } from '../../../shared/domain';
import { Dialog } from '../../components/Dialog';
import { errorMessage } from '../../desk/desk-error';
import { useApp } from '../../state/app-store';
import { desk } from '../../state/desk';
import { back, filterFromDraft, isDone, type FilterDraft, type FlowState } from './rollback-flow';

const OUTCOMES = ['approve', 'reject', 'correct'] as const;
const TITLES: Record<Exclude<FlowState['step'], 'closed'>, string> = {
  filter: 'Roll back: which outcomes?',
  preview: 'Roll back: preview',
  confirm: 'Roll back: confirm with a reason',
  progress: 'Rolling back…',
  result: 'Rollback done',
};

export function RollbackFlow({ state, setState, onFinished }: { state: FlowState; setState: (s: FlowState) => void; onFinished: () => void }) {
  const me = useApp((s) => s.session?.user?.id);
  const queues = useApp((s) => s.queues).filter((q) => q.ownerId === me);
  const [busy, setBusy] = useState(false);
  const [progressError, setError] = useState<string | null>(null);
  const stepRef = useRef<HTMLDivElement>(null);
  // Each step puts the keyboard where its work is (the Dialog only does that when it opens).
  useEffect(() => {
    stepRef.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [state.step]);

  // Progress: read until the server says completed.
  const rollbackId = state.step === 'progress' ? state.rollbackId : null;
  useEffect(() => {
    if (!rollbackId) return;
    let live = true;
    const tick = async () => {
      try {
        const p = await desk().call('ops.rollbackProgress', { rollbackId });
        if (!live) return;
        setError(null);
        if (isDone(p)) {
          setState({ step: 'result', progress: p });
          onFinished();
        } else {
          setState({ step: 'progress', filter: p.filter, rollbackId, progress: p, error: null });
          timer = setTimeout(() => void tick(), 400);
        }
      } catch (e) {
        // Offline or a hiccup: say so and keep asking; the server goes on either way.
        if (!live) return;
        setError(errorMessage(e));
        timer = setTimeout(() => void tick(), 1500);
      }
    };
    let timer: ReturnType<typeof setTimeout> | null = setTimeout(() => void tick(), 0);
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
      timer = null;
    };
    // Only a new rollback starts a new reader; progress updates must not restart it.
  }, [rollbackId]);

  if (state.step === 'closed') return null;

  const preview = async (draft: FilterDraft) => {
    const parsed = filterFromDraft(draft);
    if ('error' in parsed) return setState({ step: 'filter', draft, error: parsed.error });
    setBusy(true);
    try {
      const p = await desk().call('ops.rollbackPreview', { filter: parsed.filter });
      setState({ step: 'preview', draft, filter: parsed.filter, preview: p });
    } catch (e) {
      setState({ step: 'filter', draft, error: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  const apply = async (s: Extract<FlowState, { step: 'confirm' }>) => {
    if (!s.reason.trim()) return setState({ ...s, error: 'Say why: the reason goes on every revert.' });
    setBusy(true);
    try {
      const p = await desk().call('ops.rollbackApply', { rollbackId: s.rollbackId, filter: s.filter, reason: s.reason.trim() });
      if (isDone(p)) {
        setState({ step: 'result', progress: p });
        onFinished();
      } else setState({ step: 'progress', filter: s.filter, rollbackId: s.rollbackId, progress: p, error: null });
    } catch (e) {
      // The same id is sent again on retry: applying is idempotent by it.
      setState({ ...s, error: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    // Keys typed in the flow never reach the desk's global keys.
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      setState(back(state));
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && state.step === 'confirm' && !busy) {
      e.preventDefault();
      void apply(state);
    }
  };

  return (
    <Dialog title={TITLES[state.step]} onClose={() => setState(back(state))} onKey={onKey} testId="rollback-flow" size="lg">
      <div ref={stepRef} data-testid={`rollback-step-${state.step}`} className="rollback-step">
        {state.step === 'filter' && (
          <FilterStep draft={state.draft} error={state.error} queues={queues} busy={busy}
            onChange={(draft) => setState({ ...state, draft })} onSubmit={() => void preview(state.draft)} />
        )}
        {state.step === 'preview' && (
          <>
            <p>
              <strong data-testid="rollback-count" data-count={state.preview.count}>
                {state.preview.count.toLocaleString('en')}
              </strong>{' '}
              outcome{state.preview.count === 1 ? '' : 's'} match. Each is reverted and its item reopens in its queue.
            </p>
            <SampleTable preview={state.preview} />
            <div className="ops-controls">
              <button type="button" className="btn" onClick={() => setState(back(state))}>
                Back (Esc)
              </button>
              <button type="button" className="btn btn-primary" data-autofocus disabled={state.preview.count === 0} data-testid="rollback-continue"
                onClick={() => setState({ step: 'confirm', draft: state.draft, filter: state.filter, preview: state.preview, reason: '', rollbackId: newRollbackId(), error: null })}>
                Continue to confirm
              </button>
            </div>
          </>
        )}
        {state.step === 'confirm' && (
          <ConfirmStep state={state} busy={busy} onReason={(reason) => setState({ ...state, reason, error: null })} onApply={() => void apply(state)}
            onBack={() => setState(back(state))} />
        )}
        {state.step === 'progress' && (
          <>
            <progress className="rollback-progress" max={state.progress?.total || 1} value={state.progress ? state.progress.reverted + state.progress.skipped : 0}
              aria-label="Rollback progress" data-testid="rollback-progress" />
            <p aria-live="polite">
              {state.progress
                ? `${state.progress.reverted.toLocaleString('en')} of ${state.progress.total.toLocaleString('en')} reverted${state.progress.skipped ? `, ${state.progress.skipped} skipped` : ''}`
                : 'Starting…'}
            </p>
            {progressError && <p className="error" role="alert">{progressError}</p>}
            <p className="muted">Esc closes this; the rollback goes on on the server.</p>
          </>
        )}
        {state.step === 'result' && (
          <>
            <dl className="esc-why" data-testid="rollback-result" data-reverted={state.progress.reverted} data-skipped={state.progress.skipped}>
              <dt>Reverted</dt>
              <dd data-testid="rollback-reverted">{state.progress.reverted.toLocaleString('en')}</dd>
              <dt>Skipped</dt>
              <dd>{state.progress.skipped.toLocaleString('en')} (their outcome changed before their batch ran)</dd>
              <dt>Matched</dt>
              <dd>{state.progress.total.toLocaleString('en')}</dd>
              <dt>Rollback id</dt>
              <dd>
                <code>{state.progress.rollbackId}</code>
              </dd>
              <dt>Reason</dt>
              <dd>{state.progress.reason}</dd>
            </dl>
            <button type="button" className="btn btn-primary" data-autofocus onClick={() => setState({ step: 'closed' })} data-testid="rollback-done">
              Done
            </button>
          </>
        )}
      </div>
    </Dialog>
  );
}

function newRollbackId(): string {
  return `rb-${crypto.randomUUID()}`;
}

function FilterStep({ draft, error, queues, busy, onChange, onSubmit }: {
  draft: FilterDraft; error: string | null; queues: Queue[]; busy: boolean; onChange: (d: FilterDraft) => void; onSubmit: () => void;
}) {
  const id = useId();
  const set = <K extends keyof FilterDraft>(k: K, v: FilterDraft[K]) => onChange({ ...draft, [k]: v });
  const toggle = <T,>(list: T[], v: T) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  return (
    <form className="rollback-form" onSubmit={(e) => { e.preventDefault(); onSubmit(); }} data-testid="rollback-filter">
      <fieldset>
        <legend>Queues (none ticked: every queue you own)</legend>
        {queues.map((q) => (
          <label key={q.id} className="check">
            <input type="checkbox" checked={draft.queueIds.includes(q.id)} onChange={() => set('queueIds', toggle(draft.queueIds, q.id))}
              data-testid={`rollback-queue-${q.id}`} />
            {q.name}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Outcomes (none ticked: all)</legend>
        {OUTCOMES.map((o) => (
          <label key={o} className="check">
            <input type="checkbox" checked={draft.outcomes.includes(o)} onChange={() => set('outcomes', toggle(draft.outcomes, o))}
              data-testid={`rollback-outcome-${o}`} />
            {o}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-from`}>Decided from</label>
        <input id={`${id}-from`} type="datetime-local" value={draft.from} onChange={(e) => set('from', e.target.value)} data-testid="rollback-from" data-autofocus />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>to (not included)</label>
        <input id={`${id}-to`} type="datetime-local" value={draft.to} onChange={(e) => set('to', e.target.value)} data-testid="rollback-to" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-rev`}>Reviewers (ids, comma separated; empty: all)</label>
        <input id={`${id}-rev`} value={draft.reviewerIds} onChange={(e) => set('reviewerIds', e.target.value)} data-testid="rollback-reviewers" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason codes (comma separated; empty: all)</label>
        <input id={`${id}-reason`} value={draft.reasonCodes} onChange={(e) => set('reasonCodes', e.target.value)} data-testid="rollback-reason-codes" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-mk`}>Metadata key (e.g. output.modelVersion)</label>
        <input id={`${id}-mk`} value={draft.metadataPath} onChange={(e) => set('metadataPath', e.target.value)} data-testid="rollback-meta-path" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-mv`}>equals</label>
        <input id={`${id}-mv`} value={draft.metadataEquals} onChange={(e) => set('metadataEquals', e.target.value)} data-testid="rollback-meta-value" />
      </div>
      {error && <p className="error" role="alert" data-testid="rollback-error">{error}</p>}
      <div className="ops-controls">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="rollback-preview">
          Preview
        </button>
        <span className="muted">Esc cancels</span>
      </div>
    </form>
  );
}

function SampleTable({ preview }: { preview: { byQueue: { queueId: string; count: number }[]; sample: { itemId: string; title: string; outcome: string; decidedBy: string; decidedAt: string; reasonCode: string | null }[] } }) {
  const queues = useApp((s) => s.queues);
  const name = (id: string) => queues.find((q) => q.id === id)?.name ?? id;
  return (
    <>
      <p className="muted">{preview.byQueue.map((b) => `${name(b.queueId)}: ${b.count}`).join(' · ')}</p>
      {preview.sample.length > 0 && (
        <div className="ops-table-wrap" tabIndex={0} role="region" aria-label="Sample of the outcomes to roll back">
          <table className="ops-table" data-testid="rollback-sample">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Outcome</th>
                <th scope="col">By</th>
                <th scope="col">At</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {preview.sample.map((s) => (
                <tr key={s.itemId} data-item-id={s.itemId}>
                  <th scope="row" className="is-text">{s.title}</th>
                  <td>{s.outcome}</td>
                  <td>{s.decidedBy}</td>
                  <td>{format(new Date(s.decidedAt), 'MMM d, HH:mm')}</td>
                  <td>{s.reasonCode ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function ConfirmStep({ state, busy, onReason, onApply, onBack }: {
  state: Extract<FlowState, { step: 'confirm' }>; busy: boolean; onReason: (r: string) => void; onApply: () => void; onBack: () => void;
}) {
  const id = useId();
  return (
    <>
      <p>
        Revert <strong>{state.preview.count.toLocaleString('en')}</strong> outcome{state.preview.count === 1 ? '' : 's'}: each item reopens in its queue,
        and the decisions feed carries every revert with this rollback&apos;s id.
      </p>
      <div className="field">
        <label htmlFor={`${id}-why`}>Reason (required; goes on every revert)</label>
        <textarea id={`${id}-why`} rows={3} value={state.reason} onChange={(e) => onReason(e.target.value)} data-autofocus data-testid="rollback-reason"
          aria-invalid={state.error ? true : undefined} />
      </div>
      {state.error && <p className="error" role="alert" data-testid="rollback-error">{state.error}</p>}
      <div className="ops-controls">
        <button type="button" className="btn" onClick={onBack}>
          Back (Esc)
        </button>
        <button type="button" className="btn btn-primary" disabled={busy} onClick={onApply} data-testid="rollback-apply">
          Roll back {state.preview.count.toLocaleString('en')} (Ctrl+Enter)
        </button>
      </div>
    </>
  );
}

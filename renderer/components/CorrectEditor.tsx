import { useMemo, useState, type KeyboardEvent } from 'react';
import type { JsonObject } from '../../shared/domain';
import { flattenLeaves, leafText, parseLeafInput, pathLabel, setAtPath } from '../logic/json-paths';
import { diffOutput } from '../logic/output-diff';
import { closeOverlay, pushToast } from '../state/app-store';
import { drafts, draftHasWork } from '../state/drafts';
import { decide, useTriage } from '../state/triage-store';
import { Dialog } from './Dialog';
import { OutputDiff } from './OutputDiff';
import { DraftRestored } from './DraftRestored';

/** `correct`: edit the AI output field by field, see what changed, Ctrl+Enter saves, Esc cancels. */
export function CorrectEditor() {
  const detail = useTriage((s) => s.current);
  const original = detail?.item.output ?? {};
  const leaves = useMemo(() => flattenLeaves(original), [original]);
  const itemId = detail?.item.id ?? '';
  const originalTexts = useMemo(() => Object.fromEntries(leaves.map((l) => [pathLabel(l.path), leafText(l.value)])), [leaves]);
  // Esc keeps typed work as this item's draft (issue 14 item 2); opening the editor again restores it.
  const [restored] = useState(() => drafts.get(itemId, 'correct'));
  const [texts, setTexts] = useState<Record<string, string>>(() => ({ ...originalTexts, ...pickKnown(restored?.texts, originalTexts) }));
  const [comment, setComment] = useState(restored?.comment ?? '');
  const keepDraft = (nextTexts: Record<string, string>, nextComment: string) => {
    const changed = Object.fromEntries(Object.entries(nextTexts).filter(([k, v]) => originalTexts[k] !== v));
    drafts.put(itemId, 'correct', { texts: changed, comment: nextComment });
  };
  const setField = (key: string, value: string) => {
    const next = { ...texts, [key]: value };
    setTexts(next);
    keepDraft(next, comment);
  };
  const changeComment = (value: string) => {
    setComment(value);
    keepDraft(texts, value);
  };
  const close = () => {
    if (draftHasWork('correct', drafts.get(itemId, 'correct'))) pushToast('Correction kept as a draft: c brings it back', 'info');
    closeOverlay();
  };

  const { corrected, errors } = useMemo(() => {
    let out: unknown = original;
    const errs: Record<string, string> = {};
    for (const leaf of leaves) {
      const key = pathLabel(leaf.path);
      const text = texts[key] ?? '';
      if (text === leafText(leaf.value)) continue;
      const parsed = parseLeafInput(text, leaf.value);
      if (parsed.ok) out = setAtPath(out, leaf.path, parsed.value);
      else errs[key] = parsed.error;
    }
    return { corrected: out as JsonObject, errors: errs };
  }, [texts, leaves, original]);
  const changes = useMemo(() => diffOutput(original, corrected), [original, corrected]);
  const canSave = changes.length > 0 && Object.keys(errors).length === 0;

  const save = () => {
    if (!canSave) return;
    drafts.clear(itemId, 'correct');
    closeOverlay();
    void decide('correct', { correctedOutput: corrected, ...(comment.trim() ? { comment: comment.trim() } : {}) });
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      save();
    }
  };
  if (!detail) return null;

  return (
    <Dialog title={`Correct: ${detail.item.title}`} onClose={close} testId="correct-editor" onKey={onKey} size="lg">
      {restored && (
        <DraftRestored
          what="correction"
          onDiscard={() => {
            setTexts(originalTexts);
            changeComment('');
            drafts.clear(itemId, 'correct');
          }}
        />
      )}
      <div className="correct-body">
        <form className="correct-fields" aria-label="Output fields" onSubmit={(e) => (e.preventDefault(), save())}>
          {leaves.map((leaf, i) => {
            const key = pathLabel(leaf.path);
            const text = texts[key] ?? '';
            const changed = text !== leafText(leaf.value);
            const long = text.length > 60;
            const id = `cf-${i}`;
            return (
              <div key={key} className={`field${changed ? ' field-changed' : ''}`}>
                <label htmlFor={id}>{key}</label>
                {long ? (
                  <textarea
                    id={id}
                    rows={3}
                    value={text}
                    data-testid={`correct-field-${key}`}
                    data-autofocus={i === 0 ? true : undefined}
                    onChange={(e) => setField(key, e.target.value)}
                  />
                ) : (
                  <input
                    id={id}
                    value={text}
                    data-testid={`correct-field-${key}`}
                    data-autofocus={i === 0 ? true : undefined}
                    aria-invalid={errors[key] ? true : undefined}
                    onChange={(e) => setField(key, e.target.value)}
                  />
                )}
                {errors[key] && <span className="field-error">{errors[key]}</span>}
              </div>
            );
          })}
          <div className="field">
            <label htmlFor="cf-comment">Comment (optional)</label>
            <input id="cf-comment" value={comment} onChange={(e) => changeComment(e.target.value)} />
          </div>
        </form>
        <section className="correct-diff" aria-label="What changed">
          <h3>What changed</h3>
          <OutputDiff changes={changes} />
        </section>
      </div>
      <div className="dialog-actions">
        <span className="muted">
          <kbd className="kbd">Ctrl</kbd>+<kbd className="kbd">Enter</kbd> save · <kbd className="kbd">Esc</kbd> close, keep as draft
        </span>
        <button type="button" className="btn" onClick={close}>
          Close
        </button>
        <button type="button" className="btn btn-primary" disabled={!canSave} onClick={save} data-testid="correct-save">
          Save correction
        </button>
      </div>
    </Dialog>
  );
}

/** The draft's fields that still exist in the output (a sync may have changed its shape). */
function pickKnown(texts: Record<string, string> | undefined, known: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(texts ?? {}).filter(([k]) => k in known));
}

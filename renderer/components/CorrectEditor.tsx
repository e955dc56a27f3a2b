import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { JsonObject } from '../../shared/domain';
import { flattenLeaves, leafInputKind, leafText, parseLeafInput, pathLabel, readablePathLabel, setAtPath, type Leaf } from '../logic/json-paths';
import { diffOutput } from '../logic/output-diff';
import { closeOverlay, pushToast } from '../state/app-store';
import { drafts, draftHasWork } from '../state/drafts';
import { decide, useTriage } from '../state/triage-store';
import { DraftRestored } from './DraftRestored';
import { OutputDiff } from './OutputDiff';

/**
 * `c`: correct the AI output beside the item (issue 14 item 1): the item stays readable on the left, the
 * field the validation flagged has the focus, each field has a readable label with its JSON path under it
 * and an input of its type (number, true/false, date). Ctrl+Enter saves; Esc closes and keeps what was
 * typed as this item's draft (issue 14 item 2). Not a modal: the keys of the desk stay off while it is
 * open (an overlay), and its footer is its own row, so nothing overlaps an input.
 */
export function CorrectEditor() {
  const detail = useTriage((s) => s.current);
  const original = detail?.item.output ?? {};
  const leaves = useMemo(() => flattenLeaves(original), [original]);
  const itemId = detail?.item.id ?? '';
  const flagged = useMemo(() => new Set((detail?.item.reasons ?? []).map((r) => r.field).filter((f): f is string => !!f)), [detail]);
  const originalTexts = useMemo(() => Object.fromEntries(leaves.map((l) => [pathLabel(l.path), leafText(l.value)])), [leaves]);
  const [restored] = useState(() => drafts.get(itemId, 'correct'));
  const [texts, setTexts] = useState<Record<string, string>>(() => ({ ...originalTexts, ...pickKnown(restored?.texts, originalTexts) }));
  const [comment, setComment] = useState(restored?.comment ?? '');
  const panel = useRef<HTMLElement>(null);
  // The flagged field takes the focus (the first flagged one in output order), else the first field.
  const focusKey = leaves.map((l) => pathLabel(l.path)).find((k) => flagged.has(k)) ?? (leaves[0] ? pathLabel(leaves[0].path) : null);

  useEffect(() => {
    const el = panel.current?.querySelector<HTMLElement>('[data-autofocus]');
    if (!el) return;
    el.focus();
    el.scrollIntoView({ block: 'nearest' });
    if (el instanceof HTMLTextAreaElement || (el instanceof HTMLInputElement && el.type === 'text')) el.setSelectionRange(el.value.length, el.value.length);
  }, []);

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
  const onKey = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      save();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  };
  if (!detail) return null;

  return (
    <aside className="correct-panel" data-testid="correct-editor" aria-labelledby="correct-h" onKeyDown={onKey} ref={panel}>
      <header className="correct-head">
        <h2 id="correct-h">Correct the output</h2>
        {restored && (
          <DraftRestored
            what="correction"
            onDiscard={() => {
              setTexts(originalTexts);
              setComment('');
              drafts.clear(itemId, 'correct');
            }}
          />
        )}
      </header>
      <form className="correct-fields" aria-label="Output fields" onSubmit={(e) => (e.preventDefault(), save())}>
        {leaves.map((leaf, i) => {
          const key = pathLabel(leaf.path);
          return (
            <CorrectField
              key={key}
              id={`cf-${i}`}
              leaf={leaf}
              text={texts[key] ?? ''}
              changed={(texts[key] ?? '') !== leafText(leaf.value)}
              flagged={flagged.has(key)}
              autofocus={key === focusKey}
              error={errors[key]}
              onChange={(v) => setField(key, v)}
            />
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
      <footer className="correct-foot">
        <span className="muted">
          <kbd className="kbd">Ctrl</kbd>+<kbd className="kbd">Enter</kbd> save · <kbd className="kbd">Esc</kbd> close, keep as draft
        </span>
        <button type="button" className="btn" onClick={close}>
          Close
        </button>
        <button type="button" className="btn btn-primary" disabled={!canSave} onClick={save} data-testid="correct-save">
          Save correction
        </button>
      </footer>
    </aside>
  );
}

interface FieldProps {
  id: string;
  leaf: Leaf;
  text: string;
  changed: boolean;
  flagged: boolean;
  autofocus: boolean;
  error: string | undefined;
  onChange: (text: string) => void;
}

/** One output field: a readable label, its JSON path as secondary text, and an input of its type. */
function CorrectField({ id, leaf, text, changed, flagged, autofocus, error, onChange }: FieldProps) {
  const path = pathLabel(leaf.path);
  const kind = leafInputKind(leaf.value);
  const common = {
    id,
    'data-testid': `correct-field-${path}`,
    'data-autofocus': autofocus ? true : undefined,
    'data-kind': kind,
    'aria-describedby': `${id}-path`,
    'aria-invalid': error ? true : undefined,
  };
  return (
    <div className={`field${changed ? ' field-changed' : ''}${flagged ? ' field-flagged' : ''}`}>
      <label htmlFor={id} className="field-label">
        {readablePathLabel(leaf.path)}
        {flagged && <span className="field-flag"> · flagged</span>}
      </label>
      <span className="field-path" id={`${id}-path`}>
        {path}
      </span>
      {kind === 'boolean' ? (
        <label className="field-check">
          <input type="checkbox" {...common} checked={text === 'true'} onChange={(e) => onChange(String(e.target.checked))} />
          {text === 'true' ? 'Yes (true)' : 'No (false)'}
        </label>
      ) : kind === 'long-text' ? (
        <textarea {...common} rows={3} value={text} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type={kind} step={kind === 'number' ? 'any' : undefined} value={text} onChange={(e) => onChange(e.target.value)} />
      )}
      {error && <span className="field-error">{error}</span>}
    </div>
  );
}

/** The draft's fields that still exist in the output (a sync may have changed its shape). */
function pickKnown(texts: Record<string, string> | undefined, known: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(texts ?? {}).filter(([k]) => k in known));
}

import type { FieldChange } from '../logic/output-diff';
import { pathLabel } from '../logic/json-paths';

function show(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The field-level changes of a correction, as a list a reviewer can check before saving. */
export function OutputDiff({ changes }: { changes: FieldChange[] }) {
  if (changes.length === 0) return <p className="muted" data-testid="correct-diff">No changes yet.</p>;
  return (
    <ul className="diff-list" data-testid="correct-diff" aria-label="Changes to the output">
      {changes.map((c) => (
        <li key={`${c.kind}:${pathLabel(c.path)}`} className={`diff-${c.kind}`} data-path={pathLabel(c.path)}>
          <span className="diff-path">{pathLabel(c.path)}</span>
          {c.kind !== 'added' && <del>{show(c.before)}</del>}
          {c.kind === 'changed' && <span aria-hidden="true"> → </span>}
          {c.kind !== 'removed' && <ins>{show(c.after)}</ins>}
        </li>
      ))}
    </ul>
  );
}

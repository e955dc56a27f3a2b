import { useState } from 'react';

/** Says that the editor opened with the reviewer's draft of this item, and offers to start over. */
export function DraftRestored({ what, onDiscard }: { what: string; onDiscard: () => void }) {
  const [shown, setShown] = useState(true);
  if (!shown) return null;
  return (
    <p className="draft-restored" role="status" data-testid="draft-restored">
      Your draft {what} for this item, as you left it.{' '}
      <button
        type="button"
        className="link-btn"
        data-testid="draft-discard"
        onClick={() => {
          setShown(false);
          onDiscard();
        }}
      >
        Start over
      </button>
    </p>
  );
}

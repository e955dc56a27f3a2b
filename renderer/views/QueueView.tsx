import { useEffect, useRef } from 'react';
import { FILTER_INPUT_ID, QueueFilters } from '../components/QueueFilters';
import { QueueGrid, type QueueGridHandle } from '../components/QueueGrid';
import { useApp } from '../state/app-store';
import { bulkApprove, clearSelection, reload, useQueue } from '../state/queue-store';
import { Kbd } from '../components/Kbd';
import { answerEarlyFilterAsk } from '../keyboard/filter-focus';

/** The whole assigned set as a table: filter, sort, select with x, approve the selection. */
export function QueueView() {
  const total = useQueue((s) => s.total);
  const showDone = useQueue((s) => s.filter.showDone);
  const selected = useQueue((s) => s.selected);
  const error = useQueue((s) => s.error);
  const keymap = useApp((s) => s.keymap);
  const grid = useRef<QueueGridHandle>(null);

  useEffect(() => {
    // Rows may have changed while another view was shown; keep the old ones until new pages land.
    reload(useQueue.getState().total !== null);
    // `/` pressed before this view's code had loaded goes to the filter box, not the grid; and the mount
    // effect running again (the grid's own code suspends once more) must not take the focus back from it.
    if (!answerEarlyFilterAsk() && document.activeElement?.id !== FILTER_INPUT_ID) grid.current?.focus();
  }, []);

  return (
    <section className="view queue-view" data-testid="view-queue" aria-labelledby="queue-h">
      <header className="view-head">
        <h1 id="queue-h">Queue</h1>
        <span className="muted" data-testid="queue-total">
          {total === null ? 'Loading…' : `${total.toLocaleString()} ${showDone ? 'items, open and done' : 'open items'}`}
        </span>
        <span className="sb-spacer" />
        {selected.size > 0 && (
          <>
            <span data-testid="queue-selection-count">{selected.size.toLocaleString()} selected</span>
            <button type="button" className="btn btn-ghost btn-sm" onClick={clearSelection}>
              Clear
            </button>
            <button type="button" className="btn btn-primary btn-sm" data-testid="queue-bulk-approve" onClick={() => void bulkApprove()}>
              Approve selection {keymap['queue.bulkApprove']?.[0] && <Kbd sequence={keymap['queue.bulkApprove'][0]} />}
            </button>
          </>
        )}
      </header>
      <QueueFilters onDone={() => grid.current?.focus()} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <QueueGrid ref={grid} />
    </section>
  );
}

import { useEffect, useRef, useState } from 'react';
import type { ExceptionClass } from '../../shared/domain';
import { EXCEPTION_CLASSES } from '../../shared/desk-names';
import { offerFilterFocus } from '../keyboard/filter-focus';
import { useApp } from '../state/app-store';
import { setFilter, useQueue } from '../state/queue-store';
import { CLASS_LABEL } from './ClassBadge';
import { Kbd } from './Kbd';

/** The text box's element id (the queue view leaves the focus in it). */
export const FILTER_INPUT_ID = 'queue-text';

/** Filter by class (toggles), queue and text; `/` focuses the text box, Esc or Enter returns to the grid. */
export function QueueFilters({ onDone }: { onDone: () => void }) {
  const filter = useQueue((s) => s.filter);
  const queues = useApp((s) => s.queues);
  const keymap = useApp((s) => s.keymap);
  const [text, setText] = useState(filter.text);
  const input = useRef<HTMLInputElement>(null);

  useEffect(
    () =>
      offerFilterFocus(() => {
        input.current?.focus();
        input.current?.select();
      }),
    [],
  );

  const toggleClass = (c: ExceptionClass) =>
    setFilter({ classes: filter.classes.includes(c) ? filter.classes.filter((x) => x !== c) : [...filter.classes, c] });

  return (
    <div className="queue-filters" role="search" aria-label="Filter the queue">
      <label htmlFor={FILTER_INPUT_ID} className="sr-only">
        Filter by text
      </label>
      <input
        id={FILTER_INPUT_ID}
        ref={input}
        type="search"
        className="filter-text"
        placeholder="Filter…  /"
        value={text}
        data-testid="queue-filter-text"
        onChange={(e) => {
          // No debounce: the store sends at once when idle, else only the newest text once the answer lands.
          setText(e.target.value);
          setFilter({ text: e.target.value });
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape' || e.key === 'Enter') {
            e.preventDefault();
            onDone();
          }
        }}
      />
      <div className="class-toggles" role="group" aria-label="Exception class">
        {EXCEPTION_CLASSES.map((c) => (
          <button
            key={c}
            type="button"
            className={`chip class-${c}`}
            aria-pressed={filter.classes.includes(c)}
            data-testid={`queue-filter-class-${c}`}
            onClick={() => toggleClass(c)}
          >
            <span className="dot" aria-hidden="true" />
            {CLASS_LABEL[c]}
          </button>
        ))}
      </div>
      <button
        type="button"
        className="chip"
        aria-pressed={filter.showDone}
        data-testid="queue-filter-done"
        title="Show the items you already decided too"
        onClick={() => setFilter({ showDone: !filter.showDone })}
      >
        Done items {keymap['queue.toggleDone']?.[0] && <Kbd sequence={keymap['queue.toggleDone'][0]} />}
      </button>
      <label htmlFor="queue-select" className="sr-only">
        Queue
      </label>
      <select
        id="queue-select"
        className="select"
        value={filter.queueIds[0] ?? ''}
        data-testid="queue-filter-queue"
        onChange={(e) => setFilter({ queueIds: e.target.value ? [e.target.value] : [] })}
      >
        <option value="">All queues</option>
        {queues.map((q) => (
          <option key={q.id} value={q.id}>
            {q.name}
          </option>
        ))}
      </select>
    </div>
  );
}

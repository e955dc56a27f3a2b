import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { chordFromEvent, formatChord } from '../keyboard/chords';

const SEQUENCE_WAIT_MS = 900;

/**
 * Click, then press the keys: one chord, or up to three in a row for a sequence (`g q`).
 * Ends after a short pause; Esc cancels.
 */
export function KeyRecorder({ label, onRecord, testId }: { label: string; onRecord: (sequence: string) => void; testId?: string }) {
  const [recording, setRecording] = useState(false);
  const [chords, setChords] = useState<string[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const finish = (list: string[]) => {
    setRecording(false);
    setChords([]);
    if (list.length) onRecord(list.join(' '));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (!recording) return;
    e.preventDefault();
    e.stopPropagation();
    if (e.key === 'Escape' && chords.length === 0) {
      setRecording(false);
      return;
    }
    const chord = chordFromEvent(e);
    if (!chord) return;
    const next = [...chords, chord];
    setChords(next);
    if (timer.current) clearTimeout(timer.current);
    if (next.length >= 3) finish(next);
    else timer.current = setTimeout(() => finish(next), SEQUENCE_WAIT_MS);
  };

  return (
    <button
      type="button"
      className={`btn btn-sm${recording ? ' is-recording' : ''}`}
      aria-label={recording ? `Recording keys for ${label}: press keys now` : `Add a key for ${label}`}
      data-testid={testId}
      onClick={() => setRecording(true)}
      onBlur={() => recording && finish(chords)}
      onKeyDown={onKeyDown}
    >
      {recording ? (chords.length ? formatChord(chords.join(' ')) : 'Press keys…') : '+ Key'}
    </button>
  );
}

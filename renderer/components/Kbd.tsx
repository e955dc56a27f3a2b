import { chordKeys } from '../keyboard/chords';

/** A key sequence as keycaps: "g q" -> [G] [Q], "ctrl+k" -> [Ctrl][K]; screen readers hear "G then Q". */
export function Kbd({ sequence }: { sequence: string }) {
  const steps = sequence.split(' ');
  return (
    <span className="kbd-seq">
      <span className="sr-only">{steps.map((s) => chordKeys(s).join(' ')).join(' then ')}</span>
      {steps.map((step, i) => (
        <span key={i} className="kbd-step" aria-hidden="true">
          {chordKeys(step).map((k, j) => (
            <kbd key={j} className="kbd">
              {k}
            </kbd>
          ))}
        </span>
      ))}
    </span>
  );
}

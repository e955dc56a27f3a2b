// The head every figures view shares: title, window picker, how fresh the figures are, and the read's
// error in words.
import { OPS_WINDOW_LABELS, OPS_WINDOWS, type OpsWindow } from '../../../shared/ops-windows';
import type { OpsFreshness } from '../../../shared/ops-desk';
import { Freshness } from './Freshness';

export function WindowPicker({ value, onChange, testId }: { value: OpsWindow; onChange: (w: OpsWindow) => void; testId: string }) {
  return (
    <label className="ops-controls">
      <span className="muted">Window</span>
      <select className="select" value={value} onChange={(e) => onChange(e.target.value as OpsWindow)} data-testid={testId}>
        {OPS_WINDOWS.map((w) => (
          <option key={w} value={w}>
            {OPS_WINDOW_LABELS[w]}
          </option>
        ))}
      </select>
    </label>
  );
}

export function OpsViewHead(props: {
  headingId: string; title: string; win: OpsWindow; onWindow: (w: OpsWindow) => void; windowTestId: string;
  freshness: OpsFreshness | null | undefined; loading: boolean; error: { message: string } | null | undefined;
}) {
  return (
    <>
      <header className="view-head">
        <h1 id={props.headingId}>{props.title}</h1>
        <WindowPicker value={props.win} onChange={props.onWindow} testId={props.windowTestId} />
        <Freshness freshness={props.freshness} loading={props.loading} />
      </header>
      {props.error && (
        <p className="error" role="alert" data-testid="ops-error">
          {props.error.message}
        </p>
      )}
    </>
  );
}

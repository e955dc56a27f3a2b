// Restricted sites (DESIGN §11) on the Sync view: import a work bundle (file picker or drop), export the
// decisions bundle, import the server's receipt, and, when connected, check out work for N hours as a file.
import { useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useApp } from '../state/app-store';
import {
  BUNDLE_COMMAND_EVENT, checkoutBundle, checkoutHere, exportDecisions, importReceiptFile, importWorkFile, loadBundleStatus, takeBundleCommand, useBundles, type BundleStep,
} from '../state/bundles-store';
import { BundleLeaseText } from './BundleLease';

const droppedFile = (e: DragEvent): File | null => e.dataTransfer.files?.[0] ?? null;
const allowDrop = (e: DragEvent) => { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; };

export function BundlesPanel() {
  const { status, busy, message } = useBundles();
  const signedIn = useApp((s) => s.session?.signedIn ?? false);
  const workFile = useRef<HTMLInputElement>(null);
  const keyFile = useRef<HTMLInputElement>(null);
  const receiptFile = useRef<HTMLInputElement>(null);
  const exportButton = useRef<HTMLButtonElement>(null);
  const countInput = useRef<HTMLInputElement>(null);
  const [workPass, setWorkPass] = useState('');
  const [exportPass, setExportPass] = useState('');
  const [receiptPass, setReceiptPass] = useState('');
  const [checkoutPass, setCheckoutPass] = useState('');
  const [count, setCount] = useState(200);
  const [hours, setHours] = useState(72);

  useEffect(() => {
    void loadBundleStatus();
    const run = (stepName: BundleStep) => {
      if (stepName === 'importWork') { workFile.current?.focus(); workFile.current?.click(); }
      if (stepName === 'importReceipt') { receiptFile.current?.focus(); receiptFile.current?.click(); }
      if (stepName === 'exportDecisions') exportButton.current?.focus();
      if (stepName === 'checkout') countInput.current?.focus();
    };
    const onCommand = () => {
      const stepName = takeBundleCommand();
      if (stepName) run(stepName);
    };
    window.addEventListener(BUNDLE_COMMAND_EVENT, onCommand);
    onCommand();
    return () => window.removeEventListener(BUNDLE_COMMAND_EVENT, onCommand);
  }, []);

  const importWork = (file: File | null) => {
    if (file) void importWorkFile(file, workPass, keyFile.current?.files?.[0] ?? null);
  };
  const importReceipt = (file: File | null) => {
    if (file) void importReceiptFile(file, receiptPass);
  };
  const submit = (fn: () => void) => (e: FormEvent) => { e.preventDefault(); fn(); };

  return (
    <section className="panel bundles" aria-labelledby="bundles-h" data-testid="bundles-panel">
      <h2 id="bundles-h" className="panel-title">Work and decisions as files (restricted sites)</h2>
      <p data-testid="bundle-work-status">
        {status?.work ? <BundleLeaseText work={status.work} /> : 'No work bundle in use.'}
        {status && !status.deviceRegistered && ' This desk’s signing key is not registered yet: sign in once while connected before exporting decisions.'}
      </p>
      <div className="bundle-forms">
        <form onSubmit={submit(() => importWork(workFile.current?.files?.[0] ?? null))} onDragOver={allowDrop}
          onDrop={(e) => { e.preventDefault(); importWork(droppedFile(e)); }} data-testid="bundle-import-work" aria-labelledby="bundle-import-h">
          <h3 id="bundle-import-h">Import a work bundle</h3>
          <label>Bundle file (or drop it here) <input ref={workFile} type="file" accept=".bundle,.tar,application/x-tar" data-testid="bundle-work-file"
            onChange={(e) => importWork(e.currentTarget.files?.[0] ?? null)} /></label>
          <label>Passphrase, if it is encrypted <input type="password" value={workPass} onChange={(e) => setWorkPass(e.target.value)} autoComplete="off" /></label>
          <label>Server key file, only if this desk never signed in to that server <input ref={keyFile} type="file" accept=".json,application/json" /></label>
          <button type="submit" className="btn btn-sm" disabled={busy !== null}>{busy === 'importWork' ? 'Importing…' : 'Import'}</button>
        </form>
        <form onSubmit={submit(() => void exportDecisions(exportPass))} data-testid="bundle-export" aria-labelledby="bundle-export-h">
          <h3 id="bundle-export-h">Export decisions</h3>
          <p className="hint">Everything not yet settled ({status?.unsettled.toLocaleString() ?? '…'}); a later export holds it all again, so a lost file costs nothing.</p>
          <label>Passphrase (optional, 8+ characters) <input type="password" value={exportPass} onChange={(e) => setExportPass(e.target.value)} autoComplete="new-password" /></label>
          <button ref={exportButton} type="submit" className="btn btn-sm" disabled={busy !== null} data-testid="bundle-export-button">
            {busy === 'exportDecisions' ? 'Exporting…' : 'Export decisions bundle'}
          </button>
        </form>
        <form onSubmit={submit(() => importReceipt(receiptFile.current?.files?.[0] ?? null))} onDragOver={allowDrop}
          onDrop={(e) => { e.preventDefault(); importReceipt(droppedFile(e)); }} data-testid="bundle-import-receipt" aria-labelledby="bundle-receipt-h">
          <h3 id="bundle-receipt-h">Import the receipt</h3>
          <label>Receipt file (or drop it here) <input ref={receiptFile} type="file" accept=".bundle,.tar,application/x-tar" data-testid="bundle-receipt-file"
            onChange={(e) => importReceipt(e.currentTarget.files?.[0] ?? null)} /></label>
          <label>Passphrase, if it is encrypted <input type="password" value={receiptPass} onChange={(e) => setReceiptPass(e.target.value)} autoComplete="off" /></label>
          <button type="submit" className="btn btn-sm" disabled={busy !== null}>{busy === 'importReceipt' ? 'Importing…' : 'Import receipt'}</button>
        </form>
        <form onSubmit={submit(() => void checkoutBundle(count, hours, checkoutPass))} data-testid="bundle-checkout" aria-labelledby="bundle-checkout-h">
          <h3 id="bundle-checkout-h">Check out work for offline hours</h3>
          <label>Items <input ref={countInput} type="number" min={1} max={10000} value={count} onChange={(e) => setCount(Number(e.target.value))} data-testid="bundle-checkout-count" /></label>
          <label>Hours <input type="number" min={1} max={168} value={hours} onChange={(e) => setHours(Number(e.target.value))} data-testid="bundle-checkout-hours" /></label>
          <label>Passphrase (optional, 8+ characters) <input type="password" value={checkoutPass} onChange={(e) => setCheckoutPass(e.target.value)} autoComplete="new-password" /></label>
          <button type="submit" className="btn btn-sm" disabled={busy !== null || !signedIn} title={signedIn ? undefined : 'needs a connection to the server'}>
            {busy === 'checkout' ? 'Checking out…' : 'Check out as a file'}
          </button>
          <button type="button" className="btn btn-sm" disabled={busy !== null || !signedIn} data-testid="bundle-checkout-here"
            onClick={() => void checkoutHere(count, hours)} title="lease the items to this desk, to work here without a network">
            {busy === 'checkoutHere' ? 'Checking out…' : 'Check out to this desk'}
          </button>
        </form>
      </div>
      <p role="status" aria-live="polite" data-testid="bundle-message" className={message ? `bundle-message ${message.tone}` : 'bundle-message'}>
        {message?.text ?? ''}
      </p>
    </section>
  );
}

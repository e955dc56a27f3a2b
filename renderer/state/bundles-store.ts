// Restricted-site bundles in the UI (DESIGN §11): import a work bundle or a receipt from a picked or dropped
// file, export the decisions bundle or check out work as a download. Files cross the desk API as base64.
import { create } from 'zustand';
import type { DeskOutput } from '../../shared/desk-api';
import type { BundleStatus } from '../../shared/desk-bundles';
import { errorMessage } from '../desk/desk-error';
import { coalesced } from '../logic/coalesced';
import { pushToast } from './app-store';
import { desk } from './desk';

export type BundleStep = 'importWork' | 'exportDecisions' | 'importReceipt' | 'checkout' | 'checkoutHere';

interface BundlesState {
  status: BundleStatus | null;
  /** The step running now (one at a time), for the busy state of its button. */
  busy: BundleStep | null;
  /** What the last step did or why it was refused, shown under the panel (role=status). */
  message: { tone: 'success' | 'error'; text: string } | null;
}

export const useBundles = create<BundlesState>(() => ({ status: null, busy: null, message: null }));

export async function loadBundleStatus(): Promise<void> {
  try {
    useBundles.setState({ status: await desk().call('bundles.status', {}) });
  } catch {
    // Signed out or the core restarting: the panel shows what it had.
  }
}

/** The badge's refresh as the assigned count moves (every decision moves it): at most once a second. */
export const loadBundleStatusSoon = coalesced(() => void loadBundleStatus(), 1000);

/** Bytes to base64 in slices (String.fromCharCode over a whole 10 MB file would overflow the stack). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function download(b64: string, fileName: string): void {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/x-tar' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.dataset.testid = 'bundle-download';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

async function step<T>(name: BundleStep, work: () => Promise<T>, done: (v: T) => string): Promise<T | null> {
  if (useBundles.getState().busy) return null;
  useBundles.setState({ busy: name, message: null });
  try {
    const value = await work();
    const text = done(value);
    useBundles.setState({ message: { tone: 'success', text } });
    pushToast(text, 'success');
    return value;
  } catch (e) {
    const text = errorMessage(e);
    useBundles.setState({ message: { tone: 'error', text } });
    pushToast(text, 'error');
    return null;
  } finally {
    useBundles.setState({ busy: null });
    void loadBundleStatus();
  }
}

const until = (iso: string) => new Date(iso).toLocaleString();
const optional = (p: string) => (p.trim() === '' ? undefined : p);

export async function importWorkFile(file: File, passphrase: string, keyFile: File | null): Promise<void> {
  await step('importWork', async () => {
    const serverKey = keyFile ? JSON.parse(await keyFile.text()) as { serverId: string; publicKey: string } : undefined;
    return desk().call('bundles.importWork', { bundle: toBase64(new Uint8Array(await file.arrayBuffer())), passphrase: optional(passphrase), serverKey });
  }, (r) => `Imported ${r.items.toLocaleString()} item(s) from ${file.name}; leased to you until ${until(r.leaseExpiresAt)}`);
}

export async function importReceiptFile(file: File, passphrase: string): Promise<void> {
  await step('importReceipt', async () => desk().call('bundles.importReceipt', { bundle: toBase64(new Uint8Array(await file.arrayBuffer())), passphrase: optional(passphrase) }),
    (r) => `Receipt: ${r.settled} decision(s) settled, ${r.conflicts} conflict(s), ${r.rejected} rejected` +
      (r.alreadySettled ? `, ${r.alreadySettled} already settled` : '') + (r.conflicts + r.rejected > 0 ? ' — see the conflicts inbox' : ''));
}

export async function exportDecisions(passphrase: string): Promise<DeskOutput<'bundles.exportDecisions'> | null> {
  return step('exportDecisions', async () => {
    const out = await desk().call('bundles.exportDecisions', { passphrase: optional(passphrase) });
    download(out.bundle, out.fileName);
    return out;
  }, (r) => `Exported ${r.mutations} decision(s) (#${r.firstMutationId}–#${r.lastMutationId}) to ${r.fileName}; carry it to a connected station`);
}

export async function checkoutBundle(count: number, hours: number, passphrase: string): Promise<void> {
  await step('checkout', async () => {
    const out = await desk().call('bundles.checkout', { count, hours, passphrase: optional(passphrase) });
    download(out.bundle, out.fileName);
    return out;
  }, (r) => `Checked out ${r.items} item(s) until ${until(r.leaseExpiresAt)}: ${r.fileName}`);
}

/** Long offline without files: lease N items to this desk for H hours (sync.checkout), then work offline. */
export async function checkoutHere(count: number, hours: number): Promise<void> {
  await step('checkoutHere', async () => desk().call('sync.checkout', { count, leaseMinutes: Math.round(hours * 60) }),
    (r) => `Checked out ${r.claimed} item(s) to this desk for ${hours} h: you can work offline until the lease ends`);
}

/** Palette and menu commands reach a mounted panel through this event. */
export const BUNDLE_COMMAND_EVENT = 'desk:bundle-command';

// The Sync view is loaded on first use (views/lazy-parts.ts), so a command given from another view can
// arrive before the panel exists: it waits here and the panel takes it when it mounts.
let pendingCommand: BundleStep | null = null;

/** Hands a palette or menu command to the panel, now if it is mounted, or when it mounts. */
export function requestBundleCommand(command: BundleStep): void {
  pendingCommand = command;
  window.dispatchEvent(new CustomEvent(BUNDLE_COMMAND_EVENT, { detail: command }));
}

/** The command no mounted panel has taken yet, once. */
export function takeBundleCommand(): BundleStep | null {
  const command = pendingCommand;
  pendingCommand = null;
  return command;
}

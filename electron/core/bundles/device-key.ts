// This desk's device key: Ed25519, made on first use and kept in the cache (kv), registered with the server
// for the desk's client id at sign-in; it signs decisions bundles. A new client id (another user or
// server) gets a new key, so a key never speaks for two users.
import type { BundleSigner } from '../../../shared/bundle-container';
import type { KvRepo } from '../kv-repo';
import { ed25519Signer, newEd25519KeyPair, type Ed25519KeyPair } from './node-crypto';

const DEVICE_KEY = 'bundle_device_key';

export function deviceKeyPair(kv: KvRepo): Ed25519KeyPair {
  const clientId = kv.clientId();
  const raw = kv.get(DEVICE_KEY);
  if (raw) {
    const stored = JSON.parse(raw) as Ed25519KeyPair & { clientId: string };
    if (stored.clientId === clientId) return { publicKey: stored.publicKey, privateKey: stored.privateKey };
  }
  const pair = newEd25519KeyPair();
  kv.set(DEVICE_KEY, JSON.stringify({ ...pair, clientId }));
  return pair;
}

export function deviceSigner(kv: KvRepo): BundleSigner {
  return ed25519Signer('device', deviceKeyPair(kv));
}

/** A never-connected desk takes the device key its work bundle carries (registered by the server for that client id). */
export function adoptDeviceKey(kv: KvRepo, clientId: string, pair: Ed25519KeyPair): void {
  kv.set(DEVICE_KEY, JSON.stringify({ publicKey: pair.publicKey, privateKey: pair.privateKey, clientId }));
}

// node:crypto behind the bundle container's crypto port (shared/bundle-container.ts). The server has the
// same few lines in server/services/bundles/node-crypto.ts: the layers give server and core no common
// Node module, and the round-trip tests prove the two agree.
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scryptSync, sign, verify } from 'node:crypto';
import { keyIdOf, type BundleCrypto, type BundleSigner } from '../../../shared/bundle-container';

export const nodeBundleCrypto: BundleCrypto = {
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  verify(data, signatureHex, publicKeyHex) {
    try {
      const key = createPublicKey({ key: Buffer.from(publicKeyHex, 'hex'), format: 'der', type: 'spki' });
      return verify(null, data, key, Buffer.from(signatureHex, 'hex'));
    } catch {
      return false;
    }
  },
  randomBytes: (n) => randomBytes(n),
  scrypt: (passphrase, salt, o) => scryptSync(passphrase.normalize('NFC'), salt, 32, { ...o, maxmem: 256 * o.N * o.r + 1024 * 1024 }),
  seal(key, iv, plain, aad) {
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(aad);
    return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  },
  open(key, iv, sealed, aad) {
    if (sealed.length < 16) return null;
    try {
      const d = createDecipheriv('aes-256-gcm', key, iv);
      d.setAAD(aad);
      d.setAuthTag(sealed.subarray(sealed.length - 16));
      return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
    } catch {
      return null;
    }
  },
};

export interface Ed25519KeyPair { publicKey: string; privateKey: string }

/** A new Ed25519 key pair as hex of SPKI / PKCS#8 DER. */
export function newEd25519KeyPair(): Ed25519KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('hex'),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('hex'),
  };
}

export function ed25519Signer(role: BundleSigner['role'], pair: Ed25519KeyPair): BundleSigner {
  const key = createPrivateKey({ key: Buffer.from(pair.privateKey, 'hex'), format: 'der', type: 'pkcs8' });
  return { role, keyId: keyIdOf(nodeBundleCrypto, pair.publicKey), sign: (data) => sign(null, data, key).toString('hex') };
}

/** The public key (SPKI DER hex) of a private key (PKCS#8 DER hex); null when it is not an Ed25519 key. */
export function publicKeyOf(privateKeyHex: string): string | null {
  try {
    const key = createPublicKey(createPrivateKey({ key: Buffer.from(privateKeyHex, 'hex'), format: 'der', type: 'pkcs8' }));
    return key.asymmetricKeyType === 'ed25519' ? key.export({ format: 'der', type: 'spki' }).toString('hex') : null;
  } catch {
    return null;
  }
}

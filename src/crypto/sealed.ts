// Envelope for stored secrets: AES-256-GCM under the master key, a fresh 96-bit nonce per seal,
// and the owning row's id as associated data, so a ciphertext copied onto another row fails to open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AlterError } from '../errors.js';

const VERSION = 'v1';

export interface Sealer {
  seal(plaintext: string, rowId: string): string;
  open(sealed: string, rowId: string): string;
}

export function createSealer(masterKey: Buffer): Sealer {
  return {
    seal(plaintext, rowId) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', masterKey, nonce);
      cipher.setAAD(Buffer.from(rowId, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}.${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}`;
    },
    open(sealed, rowId) {
      const [version, payload] = sealed.split('.', 2);
      if (version !== VERSION || !payload) throw new AlterError('internal', 'stored secret has an unknown format');
      const raw = Buffer.from(payload, 'base64url');
      try {
        const decipher = createDecipheriv('aes-256-gcm', masterKey, raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(rowId, 'utf8'));
        decipher.setAuthTag(raw.subarray(raw.length - 16));
        return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
      } catch {
        // Wrong master key or tampered row: never include the ciphertext in the message.
        throw new AlterError('internal', 'a stored secret could not be decrypted (wrong ALTER_MASTER_KEY?)');
      }
    },
  };
}

import { Algorithm, hash, verify } from '@node-rs/argon2';

/**
 * Argon2id at OWASP's first recommended setting (Password Storage Cheat Sheet): 19 MiB of memory, 2 passes, 1 lane.
 * The parameters travel inside each hash string, so hashes made with older settings still verify; they are upgraded
 * at the next successful sign-in (see `needsRehash`).
 */
export const PASSWORD_HASH_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const CURRENT_PARAMETERS = `$argon2id$v=19$m=${PASSWORD_HASH_OPTIONS.memoryCost},t=${PASSWORD_HASH_OPTIONS.timeCost},p=${PASSWORD_HASH_OPTIONS.parallelism}$`;

export const hashPassword = (password: string) => hash(password, PASSWORD_HASH_OPTIONS);

export const verifyPassword = async (passwordHash: string, password: string) => {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
};

/** True when a stored hash was made with other parameters than today's. */
export const needsRehash = (passwordHash: string) => !passwordHash.startsWith(CURRENT_PARAMETERS);

/** A fixed hash to verify against when the email is unknown, so both cases take the same time. */
let dummyHash: Promise<string> | null = null;
export const dummyPasswordHash = () => (dummyHash ??= hashPassword('luneo-timing-equalizer'));

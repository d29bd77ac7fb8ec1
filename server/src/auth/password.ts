import { hash, verify } from '@node-rs/argon2';

/** Argon2id with the library's defaults (memory-hard; parameters travel inside the hash string). */
export const hashPassword = (password: string) => hash(password);

export const verifyPassword = async (passwordHash: string, password: string) => {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
};

/** A fixed hash to verify against when the email is unknown, so both cases take the same time. */
let dummyHash: Promise<string> | null = null;
export const dummyPasswordHash = () => (dummyHash ??= hash('luneo-timing-equalizer'));

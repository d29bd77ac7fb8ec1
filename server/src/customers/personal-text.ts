/**
 * Finds one customer's personal data in free text and JSON (timeline notes, item customizations, stored Stripe
 * payloads) and replaces it: the email by the pseudonym, every other value (names, parts of names, phone) by
 * `[erased]`. Matching is case-insensitive and on word edges, so "Ann" is erased from "for Ann" and not from "Annual".
 */
export const ERASED_TEXT = '[erased]';

/** Parts of a name this short ("Li", "Jo") would erase too much that is not the person. */
const MIN_VALUE_LENGTH = 3;

export class Pseudonymiser {
  private readonly patterns: { pattern: RegExp; replacement: string }[];

  /** `values`: the names and phones the customer gave; each name's words are erased on their own too. */
  constructor(email: string, pseudonym: string, values: Iterable<string>) {
    const known = new Set<string>();
    const add = (value: string) => {
      const trimmed = value.trim();
      if (trimmed.length >= MIN_VALUE_LENGTH && trimmed.toLowerCase() !== email) known.add(trimmed);
    };
    for (const value of values) {
      add(value);
      if (!/\d/.test(value)) for (const word of value.split(/[\s,.;:'"()-]+/u)) add(word);
    }
    // Longest first, so a full name is replaced before its parts and an email before the name inside it.
    this.patterns = [email, ...[...known].sort((a, b) => b.length - a.length)].map((value) => ({
      pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(value)}(?![\\p{L}\\p{N}])`, 'giu'),
      replacement: value === email ? pseudonym : ERASED_TEXT,
    }));
  }

  text(text: string): string {
    let result = text;
    for (const { pattern, replacement } of this.patterns) result = result.replace(pattern, replacement);
    return result;
  }

  /** Every string inside a JSON value, keys kept; numbers, booleans and structure unchanged. */
  json(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.json(v));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, this.json(v)]));
    }
    return value;
  }
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

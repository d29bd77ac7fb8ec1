import { useMemo } from 'react';

/**
 * Loader data sent as one JSON text. Remix writes loader data into the page (and into client navigations' `.data`
 * answers) with turbo-stream, one value at a time — a page of orders is ≈ 360 values, ≈ 5% of the dashboard's CPU per
 * page — where JSON.stringify writes the same plain data in one native call and the browser reads it back with one
 * JSON.parse. Only for plain JSON such as the API's answers (no Dates, Maps, undefined or promises).
 */
export type JsonText<T> = string & { readonly __jsonOf?: T };

/**
 * On the server, the value behind each text a loader just made: the page's render in the same request takes it back
 * instead of parsing the text again. Bounded: a `.data` request or a redirect never renders, and leaves its entry.
 */
const madeFrom = new Map<string, unknown>();
const MAX_PENDING = 32;

export function toJsonText<T>(value: T): JsonText<T> {
  const text = JSON.stringify(value) as JsonText<T>;
  if (madeFrom.size >= MAX_PENDING) madeFrom.clear();
  madeFrom.set(text, value);
  return text;
}

/** The value a loader sent with toJsonText, read once per loader answer (stable across re-renders). */
export function useJsonText<T>(text: JsonText<T>): T {
  return useMemo(() => {
    if (!madeFrom.has(text)) return JSON.parse(text) as T;
    const value = madeFrom.get(text) as T;
    madeFrom.delete(text);
    return value;
  }, [text]);
}

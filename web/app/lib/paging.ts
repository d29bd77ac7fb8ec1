/** Where a keyset-paged list is, in words. Cursors carry no offset, so the page number travels in the URL. */

/** "21–40 of 302" for the rows shown, or only "of 302" when the page is unknown (a shared cursor link). */
export function pageRange(
  state: { page: number | null; size: number },
  shown: number,
  total: number,
  format: (n: number) => string = String,
): string {
  if (!shown) return '';
  if (!state.page) return `${format(shown)} of ${format(total)}`;
  const start = (state.page - 1) * state.size + 1;
  return `${format(start)}–${format(start + shown - 1)} of ${format(total)}`;
}

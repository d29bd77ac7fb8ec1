/**
 * The pager under a keyset-paged list: rows per page, which rows are shown ("21–40 of 302", announced), and
 * First/Previous/Next. Each list decides what a move means (its cursors live in its URL).
 */
export function Pager({
  sizeId,
  size,
  sizes,
  onSize,
  range,
  onFirst,
  onPrevious,
  onNext,
}: {
  sizeId: string;
  size: number;
  sizes: readonly number[];
  onSize: (size: number) => void;
  range: string;
  /** Absent on the first page. */
  onFirst?: () => void;
  /** Absent when there is no page before / after. */
  onPrevious?: () => void;
  onNext?: () => void;
}) {
  return (
    <nav className="pager" aria-label="Pagination">
      <div className="pager__size">
        <label htmlFor={sizeId} className="field__label field__label--inline">
          Rows
        </label>
        <select id={sizeId} className="input input--small" value={size} onChange={(e) => onSize(Number(e.target.value))}>
          {sizes.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <p className="pager__range" aria-live="polite" data-testid="page-range">
        {range}
      </p>
      <div className="pager__buttons">
        {onFirst ? (
          <button type="button" className="btn btn--ghost" onClick={onFirst}>
            First page
          </button>
        ) : null}
        <button type="button" className="btn btn--secondary" disabled={!onPrevious} onClick={onPrevious}>
          ← Previous
        </button>
        <button type="button" className="btn btn--secondary" disabled={!onNext} onClick={onNext}>
          Next →
        </button>
      </div>
    </nav>
  );
}

import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { formatDateInput, parseDateInput } from '~/lib/date-input';
import { isYmd } from '~/lib/dates';
import { useLocaleInfo } from '~/lib/locale';
import { CalendarPopover } from './calendar-popover';

interface DateFieldProps {
  id: string;
  label: string;
  /** YYYY-MM-DD, or null for no date: what the API and the URL carry. */
  value: string | null;
  onChange: (value: string | null) => void;
  optional?: boolean;
  /** Bounds of the calendar (typed dates outside are left to the page's own checks, which say why). */
  min?: string;
  max?: string;
  /** A problem the page states elsewhere about this field (e.g. a range check). */
  invalid?: boolean;
  describedBy?: string;
}

/**
 * A date typed the way the person's locale writes it (one locale per person: useLocaleInfo), or picked from a
 * calendar (Alt+↓ from the field, or the button). A complete date is applied as it is typed; anything else is said
 * when the person leaves the field or presses Enter, and the last good value stays.
 */
export function DateField({ id, label, value, onChange, optional, min, max, invalid, describedBy }: DateFieldProps) {
  const { locale } = useLocaleInfo();
  const [text, setText] = useState(() => formatDateInput(value, locale));
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const hintId = useId();
  const errorId = useId();
  const example = formatDateInput('2026-12-02', locale);

  // A value set from outside (a preset, "Clear filters", another locale) shows, unless the person is typing here.
  useEffect(() => {
    if (typeof document !== 'undefined' && document.activeElement === inputRef.current) return;
    setText(formatDateInput(value, locale));
    setError(null);
  }, [value, locale]);

  function typed(next: string) {
    setText(next);
    if (!next.trim()) {
      setError(null);
      if (value !== null) onChange(null);
      return;
    }
    const ymd = parseDateInput(next, locale, { fullYearOnly: true });
    if (ymd) {
      setError(null);
      if (ymd !== value) onChange(ymd);
    }
  }

  function settle() {
    if (!text.trim()) return;
    const ymd = parseDateInput(text, locale);
    if (!ymd) {
      setError(`Enter a date like ${example}.`);
      return;
    }
    setError(null);
    setText(formatDateInput(ymd, locale));
    if (ymd !== value) onChange(ymd);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter') {
      event.preventDefault();
      settle();
    } else if (event.key === 'ArrowDown' && event.altKey) {
      event.preventDefault();
      setOpen(true);
    }
  }

  function picked(ymd: string) {
    setOpen(false);
    setError(null);
    setText(formatDateInput(ymd, locale));
    if (ymd !== value) onChange(ymd);
    inputRef.current?.focus();
  }

  const describedByIds = [hintId, error ? errorId : null, describedBy].filter(Boolean).join(' ');
  return (
    <div className="field date-field">
      <label htmlFor={id} className="field__label">
        {label}
        {optional ? <span className="muted"> (optional)</span> : null}
      </label>
      <div className="date-field__control">
        <input
          ref={inputRef}
          id={id}
          className="input date-field__input"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          value={text}
          onChange={(e) => typed(e.target.value)}
          onBlur={settle}
          onKeyDown={onKeyDown}
          aria-invalid={error || invalid ? true : undefined}
          aria-describedby={describedByIds}
        />
        <button
          ref={toggleRef}
          type="button"
          className="btn btn--ghost btn--small date-field__toggle"
          aria-haspopup="dialog"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
        >
          <svg aria-hidden="true" width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5">
            <rect x="2" y="3" width="12" height="11" rx="1.5" />
            <path d="M2 6.5h12M5 1.5v3M11 1.5v3" />
          </svg>
          <span className="sr-only">Calendar for {label}</span>
        </button>
      </div>
      <span className="field__hint" id={hintId}>
        e.g. {example}
      </span>
      {/* Always in the page (a live region inserted with its text may not be read), so what appears in it is announced. */}
      <span className="field__error" id={errorId} aria-live="assertive">
        {error}
      </span>
      {open ? (
        <CalendarPopover
          label={label}
          value={isYmd(value) ? value : null}
          min={min}
          max={max}
          locale={locale}
          onPick={picked}
          onClose={() => {
            setOpen(false);
            toggleRef.current?.focus();
          }}
          toggle={toggleRef}
        />
      ) : null}
    </div>
  );
}

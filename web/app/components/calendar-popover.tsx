import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { addMonths, formatDateLong, monthGrid } from '~/lib/date-input';
import { addDays, todayInZone } from '~/lib/dates';
import { dateTimeFormat } from '~/lib/intl-cache';
import { useLocaleInfo } from '~/lib/locale';

interface CalendarPopoverProps {
  label: string;
  value: string | null;
  min?: string;
  max?: string;
  locale: string;
  onPick: (ymd: string) => void;
  onClose: () => void;
  /** The button that opened it: a click there toggles, it does not count as "outside". */
  toggle: RefObject<HTMLElement>;
}

const KEY_STEP: Record<string, (ymd: string, weekStartIndex: number) => string> = {
  ArrowLeft: (d) => addDays(d, -1),
  ArrowRight: (d) => addDays(d, 1),
  ArrowUp: (d) => addDays(d, -7),
  ArrowDown: (d) => addDays(d, 7),
  PageUp: (d) => addMonths(d, -1),
  PageDown: (d) => addMonths(d, 1),
  Home: (d, i) => addDays(d, -i),
  End: (d, i) => addDays(d, 6 - i),
};

/**
 * A month of days as a grid (WAI-ARIA date picker dialog pattern): arrows move by day and week, Page Up/Down by month,
 * Home/End to the week's ends, Enter picks, Escape closes and gives focus back.
 */
export function CalendarPopover({ label, value, min, max, locale, onPick, onClose, toggle }: CalendarPopoverProps) {
  const { timeZone } = useLocaleInfo();
  const today = todayInZone(timeZone);
  const [focused, setFocused] = useState(() => value ?? (max && max < today ? max : today));
  const grid = useMemo(() => monthGrid(focused, locale), [focused, locale]);
  const root = useRef<HTMLDivElement>(null);
  const monthTitle = dateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${focused}T00:00:00Z`));
  const weekdays = grid[0].map((d) => ({
    short: dateTimeFormat(locale, { weekday: 'narrow', timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`)),
    long: dateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`)),
  }));
  const outOfRange = (d: string) => Boolean((min && d < min) || (max && d > max));

  useEffect(() => {
    root.current?.querySelector<HTMLButtonElement>(`[data-day="${focused}"]`)?.focus();
  }, [focused]);

  useEffect(() => {
    function outside(event: MouseEvent) {
      const target = event.target as Node;
      if (!root.current?.contains(target) && !toggle.current?.contains(target)) onClose();
    }
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [onClose, toggle]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
      return;
    }
    const step = KEY_STEP[event.key];
    if (!step || !(event.target as HTMLElement).dataset.day) return;
    event.preventDefault();
    setFocused((d) => step(d, grid.flat().indexOf(d) % 7));
  }

  return (
    <div ref={root} className="calendar" role="dialog" aria-modal="false" aria-label={`Choose ${label}`} onKeyDown={onKeyDown}>
      <div className="calendar__header">
        <button type="button" className="btn btn--ghost btn--small" onClick={() => setFocused((d) => addMonths(d, -1))}>
          <span aria-hidden="true">‹</span>
          <span className="sr-only">Previous month</span>
        </button>
        <p className="calendar__title" aria-live="polite">
          {monthTitle}
        </p>
        <button type="button" className="btn btn--ghost btn--small" onClick={() => setFocused((d) => addMonths(d, 1))}>
          <span aria-hidden="true">›</span>
          <span className="sr-only">Next month</span>
        </button>
      </div>
      <table className="calendar__grid" role="grid" aria-label={monthTitle}>
        <thead>
          <tr>
            {weekdays.map((w) => (
              <th key={w.long} scope="col" abbr={w.long}>
                {w.short}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.map((week) => (
            <tr key={week[0]}>
              {week.map((d) => (
                <td key={d}>
                  <button
                    type="button"
                    data-day={d}
                    className={`calendar__day${d.slice(0, 7) === focused.slice(0, 7) ? '' : ' calendar__day--other'}`}
                    tabIndex={d === focused ? 0 : -1}
                    aria-pressed={d === value}
                    aria-current={d === today ? 'date' : undefined}
                    aria-label={formatDateLong(d, locale)}
                    disabled={outOfRange(d)}
                    onClick={() => onPick(d)}
                  >
                    {Number(d.slice(8))}
                  </button>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="btn btn--ghost btn--small" onClick={onClose}>
        Close
      </button>
    </div>
  );
}

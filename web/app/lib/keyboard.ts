import type { KeyboardEvent } from 'react';

/** Escape closes an open panel, as it would a dialog. */
export function closeOnEscape(onClose: () => void) {
  return (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
    }
  };
}

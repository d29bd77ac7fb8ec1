import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the native <dialog> element: the browser traps focus, closes it on Escape and gives focus back to
 * what opened it. Rendered only while open; `onClose` runs however it closes.
 */
export function Dialog({
  title,
  labelledBy,
  onClose,
  children,
  wide,
}: {
  /** A heading of its own, or the id of the heading inside `children` (a form that titles itself). */
  title?: string;
  labelledBy?: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    const onDialogClose = () => close.current();
    dialog.addEventListener('close', onDialogClose);
    return () => {
      dialog.removeEventListener('close', onDialogClose);
      if (dialog.open) dialog.close();
    };
  }, []);

  return (
    <dialog ref={ref} className={`dialog ${wide ? 'dialog--wide' : ''}`} aria-labelledby={title ? 'dialog-title' : labelledBy}>
      {title ? (
        <header className="dialog__header">
          <h2 className="dialog__title" id="dialog-title">
            {title}
          </h2>
          <button type="button" className="btn btn--ghost btn--small" onClick={() => ref.current?.close()}>
            Close
          </button>
        </header>
      ) : null}
      {children}
    </dialog>
  );
}

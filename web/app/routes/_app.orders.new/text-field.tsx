import type { InputHTMLAttributes } from 'react';

/** The id of a field's error message, which its input points at with aria-describedby. */
export const fieldErrorId = (name: string) => `${name.replace(/\W/g, '-')}-error`;

/** A labelled text input whose error (from client validation or the API) is announced with it. */
export function TextField({
  name,
  label,
  optional,
  hint,
  error,
  onValue,
  className = 'input',
  ...input
}: {
  name: string;
  label: string;
  optional?: boolean;
  hint?: string;
  error?: string;
  onValue: (value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'name' | 'onChange'>) {
  const errorId = fieldErrorId(name);
  const hintId = `${errorId}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={name} className="field__label">
        {label} {optional ? <span className="muted">(optional)</span> : null}
      </label>
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <input
        id={name}
        className={className}
        autoComplete="off"
        {...input}
        onChange={(e) => onValue(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {error ? (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

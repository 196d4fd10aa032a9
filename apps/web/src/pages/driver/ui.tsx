import { type ReactNode, useEffect, useRef } from 'react';
import { ApiError } from '../../lib/api.ts';
import { driverProblemWords } from './words.ts';

/** A refused call in a driver's words (see words.ts), with a retry if one makes sense. */
export function DriverError({
  error,
  retry,
  retryLabel = 'Try again',
  children,
}: {
  error: unknown;
  retry?: (() => void) | undefined;
  retryLabel?: string;
  children?: ReactNode;
}) {
  if (!error) return null;
  const message =
    error instanceof ApiError ? driverProblemWords(error.problem, error.status) : driverProblemWords(null);
  return (
    <div className="notice notice-error" role="alert">
      <p>{message}</p>
      {children}
      {retry && (
        <button type="button" className="button-secondary" onClick={retry}>
          {retryLabel}
        </button>
      )}
    </div>
  );
}

/** A heading that takes the focus when it appears: after a step completes, the reader lands on it. */
export function FocusHeading({
  level = 2,
  id,
  children,
}: {
  level?: 2 | 3;
  id?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const Tag = level === 2 ? 'h2' : 'h3';
  return (
    <Tag ref={ref} id={id} tabIndex={-1} className="focus-heading">
      {children}
    </Tag>
  );
}

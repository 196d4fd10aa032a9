/** Small pieces the facility page's sections share: sections, refusals in words, actions in flight. */
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { problemToWords } from '../../lib/problems.ts';
import { facilityProblemWords } from './words.ts';

/** Any thrown thing in words: an API problem (with the form's field names), or a generic sentence. */
export function wordsFor(error: unknown, labels?: Record<string, string>) {
  if (error instanceof ApiError) return facilityProblemWords(error.problem, error.status, labels);
  return problemToWords(null);
}

export function ProblemNotice({
  error,
  labels,
  retry,
}: {
  error: unknown;
  labels?: Record<string, string>;
  retry?: () => void;
}) {
  if (!error) return null;
  return (
    <div className="notice notice-error" role="alert">
      <p>{wordsFor(error, labels).message}</p>
      {retry && (
        <button type="button" className="button-secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Section({
  id,
  title,
  lede,
  tools,
  wide,
  children,
}: {
  id: string;
  title: string;
  lede?: ReactNode;
  tools?: ReactNode;
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <section
      id={id}
      aria-labelledby={`${id}-title`}
      className={wide ? 'panel fac-section fac-wide' : 'panel fac-section'}
    >
      <div className="fac-section-head">
        <div>
          <h2 id={`${id}-title`}>{title}</h2>
          {lede && <p className="muted small fac-lede">{lede}</p>}
        </div>
        {tools && <div className="fac-tools">{tools}</div>}
      </div>
      {children}
    </section>
  );
}

/** A change sent to the API: busy while it runs, its refusal kept to show; `run` answers whether it worked. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const run = useCallback(async (work: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (failure) {
      if (mounted.current) setError(failure);
      return false;
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}

/** A value that follows `value` at most once every `ms` (the latest one wins): for refetching on live events. */
export function useThrottled<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = last.current + ms - Date.now();
    if (wait <= 0) {
      last.current = Date.now();
      setCurrent(value);
      return;
    }
    const timer = setTimeout(() => {
      last.current = Date.now();
      setCurrent(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return current;
}

/** A definition list item. */
export function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

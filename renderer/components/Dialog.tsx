import { useEffect, useId, useRef, type ReactNode, type KeyboardEvent } from 'react';

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId: string;
  /** Extra key handling while the dialog is open (pickers' 1-9). Runs before Esc/Tab handling. */
  onKey?: (e: KeyboardEvent<HTMLDivElement>) => void;
  size?: 'sm' | 'md' | 'lg';
  description?: string;
  hideTitle?: boolean;
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** A modal dialog: labelled, focus moved in and trapped, restored on close; Esc closes. */
export function Dialog({ title, onClose, children, testId, onKey, size = 'md', description, hideTitle }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const descId = useId();

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const el = ref.current;
    const first = el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? el)?.focus();
    return () => previous?.focus?.();
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    onKey?.(e);
    if (e.defaultPrevented) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key === 'Tab' && ref.current) {
      const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
      if (items.length === 0) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  };

  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className={`dialog dialog-${size}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descId : undefined}
        data-testid={testId}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <div className={`dialog-head${hideTitle ? ' sr-only' : ''}`}>
          <h2 id={titleId}>{title}</h2>
          {description && (
            <p id={descId} className="dialog-desc">
              {description}
            </p>
          )}
        </div>
        {children}
      </div>
    </div>
  );
}

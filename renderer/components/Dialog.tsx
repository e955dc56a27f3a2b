import * as RadixDialog from '@radix-ui/react-dialog';
import type { KeyboardEvent, ReactNode } from 'react';

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId: string;
  /** Extra key handling while the dialog is open (pickers' 1-9). */
  onKey?: (e: KeyboardEvent<HTMLDivElement>) => void;
  /**
   * Esc was pressed: return false to keep the dialog open (e.g. to ask before discarding typed work).
   * Without it, Esc closes.
   */
  onEscape?: () => boolean | void;
  size?: 'sm' | 'md' | 'lg';
  description?: string;
  hideTitle?: boolean;
}

/**
 * The one modal dialog primitive: Radix's (labelled, focus moved in and trapped, restored on close,
 * the rest of the page hidden from assistive tech, Esc and a press outside close). The first element
 * marked `data-autofocus` gets the focus, else the first focusable one.
 */
export function Dialog({ title, onClose, children, testId, onKey, onEscape, size = 'md', description, hideTitle }: Props) {
  return (
    <RadixDialog.Root open onOpenChange={(open) => !open && onClose()}>
      <RadixDialog.Portal>
        {/* A plain backdrop, not RadixDialog.Overlay: the Overlay's scroll lock injects a <style> element,
            which the renderer's CSP (style-src 'self') refuses. The Content alone still traps focus, hides
            the rest from assistive tech, and closes on Esc and on a press outside it. */}
        <div className="backdrop">
          <RadixDialog.Content
            className={`dialog dialog-${size}`}
            data-testid={testId}
            onKeyDown={onKey}
            // No description: say so, rather than point aria-describedby at nothing.
            {...(description ? {} : { 'aria-describedby': undefined })}
            onOpenAutoFocus={(e) => {
              const marked = (e.currentTarget as HTMLElement | null)?.querySelector<HTMLElement>('[data-autofocus]');
              if (marked) {
                e.preventDefault();
                marked.focus();
                // A restored draft continues where it ended, not before its first letter.
                if (marked instanceof HTMLTextAreaElement || (marked instanceof HTMLInputElement && marked.type === 'text')) {
                  marked.setSelectionRange(marked.value.length, marked.value.length);
                }
              }
            }}
            onEscapeKeyDown={(e) => {
              if (onEscape?.() === false) e.preventDefault();
            }}
          >
            <div className={`dialog-head${hideTitle ? ' sr-only' : ''}`}>
              <RadixDialog.Title>{title}</RadixDialog.Title>
              {description && <RadixDialog.Description className="dialog-desc">{description}</RadixDialog.Description>}
            </div>
            {children}
          </RadixDialog.Content>
        </div>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

import { useEffect, useRef } from 'react';

export type Shortcuts = Record<string, () => void>;

/** "mod+a", "shift+n", "delete", "alt+arrowup": what a key event is called in a Shortcuts map. */
function nameOf(event: KeyboardEvent): string {
  const parts: string[] = [];
  if (event.ctrlKey || event.metaKey) parts.push('mod');
  if (event.altKey) parts.push('alt');
  if (event.shiftKey) parts.push('shift');
  parts.push(event.key.toLowerCase());
  return parts.join('+');
}

/** Where a key belongs to what has focus: typing, or a control that Enter and Space press. */
function keyBelongsToFocus(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target || target === document.body) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  if (target.tagName === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    // A ticked checkbox keeps focus; the shortcuts must go on working, but Space still ticks it.
    return !(type === 'checkbox' || type === 'radio') || event.key === ' ';
  }
  const control = target.closest('button, a[href], [role="menuitem"], [role="option"], [role="tab"]');
  return control !== null && (event.key === 'Enter' || event.key === ' ');
}

/** Anything open over the page (a dialog, a drawer, a menu) takes the keyboard for itself. */
function overlayOpen(): boolean {
  return document.querySelector('[role="dialog"], [role="menu"], [aria-modal="true"]') !== null;
}

/**
 * The file browser's keyboard shortcuts. Unlike a global hotkey hook, they stay out of the way of
 * whatever has focus (fields, buttons, menus) and of anything open over the list.
 */
export function useShortcuts(shortcuts: Shortcuts, enabled: boolean): void {
  const current = useRef(shortcuts);
  current.current = shortcuts;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const run = current.current[nameOf(event)];
      if (!run || keyBelongsToFocus(event) || overlayOpen()) return;
      event.preventDefault();
      run();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled]);
}

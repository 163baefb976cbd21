/**
 * Modal dialogs on the native `<dialog>` element: it keeps focus inside while open, Escape
 * closes it, and the page behind is inert. On closing, focus returns to the control that
 * opened it, so a keyboard user continues where they were.
 */
import { failureMessage } from './api.js';
import { copyText } from './copy.js';
import { type Child, h, replace, uid } from './dom.js';

/** An open dialog. */
export interface DialogHandle {
  dialog: HTMLDialogElement;
  close(): void;
}

interface DialogParts {
  title: string;
  body: Child;
  /** Runs once the dialog has closed, however it was closed. */
  onClose?: () => void;
}

/** Opens a modal dialog titled `title` holding `body`. */
export function openDialog({ title, body, onClose }: DialogParts): DialogHandle {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = uid('dialog-title');
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, title),
    body,
  );
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
    onClose?.();
  });
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, close: () => dialog.close() };
}

export interface FormDialogOptions {
  title: string;
  intro?: Child;
  fields?: Child;
  submitLabel: string;
  /** A destructive action: the submit button looks like one and Cancel gets the focus. */
  danger?: boolean;
  /**
   * Does the work; a rejection is shown in the dialog, which then stays open. It may resolve
   * with a function to run once the dialog has closed and focus is back on the page (to open
   * the next dialog, say); any other value is ignored.
   */
  onSubmit: (form: HTMLFormElement) => Promise<unknown>;
  onClose?: () => void;
}

/**
 * A dialog around a form with Cancel and a submit button. The browser checks required and
 * typed fields first; while the work runs the submit button is disabled, so a double click
 * cannot create twice.
 */
export function formDialog(options: FormDialogOptions): DialogHandle {
  const error = h('div', { class: 'dialog-error', role: 'alert' });
  const cancel = h(
    'button',
    { type: 'button', class: 'button subtle', autofocus: options.danger === true },
    'Cancel',
  );
  const submit = h(
    'button',
    { type: 'submit', class: options.danger ? 'button danger' : 'button primary' },
    options.submitLabel,
  );
  const form = h(
    'form',
    { class: 'dialog-form' },
    options.intro ? h('div', { class: 'dialog-intro' }, options.intro) : null,
    options.fields,
    error,
    h('div', { class: 'dialog-actions' }, cancel, submit),
  );
  const handle = openDialog({
    title: options.title,
    body: form,
    ...(options.onClose ? { onClose: options.onClose } : {}),
  });
  cancel.addEventListener('click', () => handle.close());

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    replace(error);
    try {
      const then = await options.onSubmit(form);
      handle.close();
      if (typeof then === 'function') then();
    } catch (failure) {
      replace(error, h('p', null, failureMessage(failure)));
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  return handle;
}

/** Asks before a destructive action; `action` runs on confirmation. */
export function confirmDialog(options: {
  title: string;
  message: Child;
  confirmLabel: string;
  action: () => Promise<unknown>;
}): DialogHandle {
  return formDialog({
    title: options.title,
    intro: options.message,
    submitLabel: options.confirmLabel,
    danger: true,
    onSubmit: options.action,
  });
}

/**
 * Shows a secret (a signing secret, an API key) the one time Lyceum reveals it, with a button
 * that copies it.
 */
export function secretDialog(options: {
  title: string;
  intro: Child;
  label: string;
  secret: string;
  onClose?: () => void;
}): DialogHandle {
  const inputId = uid('secret');
  const copied = h('p', { class: 'copy-status', role: 'status' });
  const input = h('input', {
    id: inputId,
    class: 'secret',
    type: 'text',
    readonly: true,
    value: options.secret,
    spellcheck: 'false',
    autocomplete: 'off',
    onfocus: (event) => (event.target as HTMLInputElement).select(),
  });
  const copy = h('button', { type: 'button', class: 'button primary', autofocus: true }, 'Copy');
  const done = h('button', { type: 'button', class: 'button subtle' }, 'Done');
  const handle = openDialog({
    title: options.title,
    body: [
      h('div', { class: 'dialog-intro' }, options.intro),
      h(
        'p',
        { class: 'warning' },
        'This is the only time it is shown: copy it now and store it somewhere safe.',
      ),
      h('div', { class: 'field' }, h('label', { for: inputId }, options.label), input),
      copied,
      h('div', { class: 'dialog-actions' }, done, copy),
    ],
    ...(options.onClose ? { onClose: options.onClose } : {}),
  });
  copy.addEventListener('click', async () => {
    const ok = await copyText(options.secret, input);
    replace(copied, ok ? 'Copied to the clipboard.' : 'Copy failed: select the text and copy it.');
  });
  done.addEventListener('click', () => handle.close());
  return handle;
}

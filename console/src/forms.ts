/**
 * Labelled form controls. Every control has a visible label tied to it, and a hint, when
 * there is one, is read with the control (aria-describedby).
 */
import { type Child, h, uid } from './dom.js';

/** A labelled control with an optional hint below it. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: Child,
): HTMLElement {
  if (!control.id) control.id = uid('field');
  let hintElement: HTMLElement | null = null;
  if (hint) {
    hintElement = h('p', { class: 'hint', id: uid('hint') }, hint);
    control.setAttribute('aria-describedby', hintElement.id);
  }
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintElement);
}

/** A `<select>` of `options` (value, label) with `selected` chosen. */
export function select(
  name: string,
  options: Array<{ value: string; label: string }>,
  selected = '',
): HTMLSelectElement {
  return h(
    'select',
    { name },
    options.map((option) =>
      h('option', { value: option.value, selected: option.value === selected }, option.label),
    ),
  );
}

/** A group of checkboxes under a legend; `checked` values start ticked. */
export function checkboxGroup(options: {
  legend: string;
  name: string;
  choices: Array<{ value: string; label: string; hint?: string }>;
  checked: string[];
  hint?: string;
}): HTMLFieldSetElement {
  return h(
    'fieldset',
    { class: 'checkboxes' },
    h('legend', null, options.legend),
    options.hint ? h('p', { class: 'hint' }, options.hint) : null,
    options.choices.map((choice) => {
      const id = uid('choice');
      return h(
        'div',
        { class: 'checkbox' },
        h('input', {
          type: 'checkbox',
          id,
          name: options.name,
          value: choice.value,
          checked: options.checked.includes(choice.value),
        }),
        h(
          'label',
          { for: id },
          h('span', { class: 'choice-label' }, choice.label),
          choice.hint ? h('span', { class: 'hint' }, choice.hint) : null,
        ),
      );
    }),
  );
}

/** The ticked values of the checkboxes named `name` in `form`. */
export function checkedValues(form: HTMLFormElement, name: string): string[] {
  return [...form.querySelectorAll<HTMLInputElement>(`input[type=checkbox][name="${name}"]`)]
    .filter((box) => box.checked)
    .map((box) => box.value);
}

/** The trimmed text of the control named `name` in `form`. */
export function textValue(form: HTMLFormElement, name: string): string {
  const control = form.elements.namedItem(name);
  return control instanceof HTMLInputElement ||
    control instanceof HTMLSelectElement ||
    control instanceof HTMLTextAreaElement
    ? control.value.trim()
    : '';
}

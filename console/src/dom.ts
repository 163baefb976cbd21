/**
 * Building the page from code. Text always goes in as text nodes, never as HTML, so a value
 * from the API (a URL, a response body) can never become markup.
 */

/** What may stand as a child: nodes, text, nothing, or lists of these. */
export type Child = Node | string | number | null | undefined | false | Child[];

/** Attributes, properties (`value`, `checked`) and listeners (`onclick`). */
export type Attributes = Record<
  string,
  string | number | boolean | null | undefined | ((event: Event) => void)
>;

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected', 'indeterminate']);

function apply(element: Element, attributes: Attributes | null | undefined): void {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (PROPERTIES.has(name)) {
      Object.assign(element, { [name]: value });
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

/** Appends `children` to `parent`, flattening lists and skipping empty values. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, ...child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Creates an HTML element, e.g. `h('button', { type: 'button', onclick }, 'Save')`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes?: Attributes | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  apply(element, attributes);
  append(element, ...children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element, e.g. `svg('rect', { x: 0, y: 0, width: 4, height: 9 })`. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes?: Attributes | null,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, attributes);
  append(element, ...children);
  return element;
}

/** Replaces every child of `parent` with `children`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

let counter = 0;

/** A page-unique id for tying labels, descriptions and headings to what they describe. */
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

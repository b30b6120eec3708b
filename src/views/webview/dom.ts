/**
 * The one way this script builds DOM. Text (anything that came from a peer included) only
 * ever becomes a Text node or an attribute value set with setAttribute; nothing here parses
 * HTML, so markup in a message stays characters on the screen.
 */

export type Child = Node | string | false | null | undefined;

export interface Props {
  className?: string;
  /** Attribute values (never event handlers or styles: see `setAttr`). */
  attrs?: Record<string, string | undefined>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value !== undefined) setAttr(el, name, value);
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** setAttribute, refusing the attributes that could run code or carry CSS. */
export function setAttr(el: Element, name: string, value: string): void {
  const lower = name.toLowerCase();
  if (lower.startsWith('on') || lower === 'style' || lower === 'href' || lower === 'src' || lower === 'srcdoc') {
    throw new Error(`refusing to set ${name}`);
  }
  el.setAttribute(name, value);
}

/** A 16px codicon, hidden from screen readers (the control around it carries the label). */
export function icon(name: string, extraClass = ''): HTMLSpanElement {
  return h('span', { className: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

/** A button with an accessible name; `label` doubles as the tooltip unless `title` is given. */
export function button(className: string, label: string, content: Child[], onClick: () => void, title = label): HTMLButtonElement {
  const el = h('button', { className, attrs: { type: 'button', 'aria-label': label, title } }, ...content);
  el.addEventListener('click', (event) => {
    event.stopPropagation();
    onClick();
  });
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

export function clear(el: Element): void {
  el.replaceChildren();
}

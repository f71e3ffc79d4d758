// DOM helpers: elements are built with textContent and attributes only (data is never parsed as
// HTML), so every value from the API is escaped by construction.

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill(node, options, children) {
  if (options.className) node.setAttribute('class', options.className);
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  for (const [name, value] of Object.entries(options.attrs || {})) {
    if (name === 'style' || name.startsWith('on')) throw new Error('not allowed: ' + name);
    if (value !== undefined && value !== null && value !== false)
      node.setAttribute(name, String(value));
  }
  for (const [name, value] of Object.entries(options.data || {}))
    node.dataset[name] = String(value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
}

// el('a', {className: 'x', text: 'y', attrs: {href: '/'}, data: {k: 'v'}}, [children...])
export function el(tag, options = {}, children = []) {
  return fill(document.createElement(tag), options, children);
}

export function svgEl(tag, options = {}, children = []) {
  return fill(document.createElementNS(SVG_NS, tag), options, children);
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

// A page-unique id for aria references.
let counter = 0;
export function uniqueId(prefix) {
  counter += 1;
  return prefix + '-' + counter;
}

// HTML that escapes by default: every value put into html`…` is escaped unless it is itself the
// result of html`…` (or raw(), for the few constant fragments). Names, labels, emails, commit
// messages and links come from the database and manifests, so nothing reaches a page unescaped.

const SAFE = Symbol('safe-html');

export interface SafeHtml {
  readonly [SAFE]: true;
  readonly text: string;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => ENTITIES[c]);
}

function isSafe(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && (value as SafeHtml)[SAFE] === true;
}

/** Text the code itself wrote (never data): passed through as it is. */
export function raw(text: string): SafeHtml {
  return { [SAFE]: true, text };
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (isSafe(value)) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return raw(out);
}

/**
 * A link only for https: URLs (and the dashboard's own paths); anything else (javascript:, data:,
 * http:) is shown as text and cannot be followed.
 */
export function link(href: string | null | undefined, label: unknown): SafeHtml {
  if (!href) return html`${label}`;
  if (href.startsWith('/') && !href.startsWith('//')) return html`<a href="${href}">${label}</a>`;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return html`${label}`;
  }
  if (url.protocol !== 'https:') return html`${label}`;
  return html`<a href="${url.href}" rel="noopener noreferrer">${label}</a>`;
}

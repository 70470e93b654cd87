// html-escape.ts: text into HTML, and JSON into a <script> block, so that no URL, header or
// status text from a run can close a tag or open one.

/** Text for element content or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * JSON for a <script type="application/json"> block. Every "<" becomes \u003c (still the same
 * JSON once parsed), so "</script>" or "<!--" inside a value cannot end or confuse the block.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

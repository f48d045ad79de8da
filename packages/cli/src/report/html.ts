/**
 * Small HTML string helpers for the report (pure; used in Node and in the page).
 */

/**
 * Escape text for HTML element content and double-quoted attributes.
 *
 * @example `escapeHtml('a < b & "c"') === 'a &lt; b &amp; &quot;c&quot;'`
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * An HTML table of plain-text cells (escaped); cells that read as numbers are right-aligned.
 *
 * @param table - header and rows (each row as long as the header).
 * @param id - element id.
 * @example
 * ```ts
 * tableHtml({ header: ['figure', 'intact'], rows: [['ROM (deg)', '5.4']] }, 'figures');
 * ```
 */
export function tableHtml(table: { header: string[]; rows: string[][] }, id: string): string {
  const num = /^[−+-]?\d[\d.,]*(e[+-]?\d+)?\s*%?$/i;
  const head = table.header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = table.rows
    .map(
      (r) =>
        '<tr>' +
        r.map((c, j) => (j === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td${num.test(c.trim()) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`)).join('') +
        '</tr>',
    )
    .join('\n');
  return `<table id="${escapeHtml(id)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

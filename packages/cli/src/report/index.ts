/**
 * The main job's self-contained HTML report: three.js viewer of the model
 * coloured by von Mises stress, ROM chart against in-vitro corridors,
 * clinical figures table.
 */
export * from './report-data.js';
export * from './render-report.js';
export * from './colour-scale.js';
export * from './region-groups.js';
export * from './rom-chart.js';
export { legendMarkup } from './legend.js';
export { escapeHtml, tableHtml } from './html.js';
export { viewerBundle } from './viewer-bundle.js';
export * from './surface-fields.js';

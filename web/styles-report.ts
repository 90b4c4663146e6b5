/** The report form's and the work orders' own style (added to app.css in web/assets.ts). */
export const reportStyles = `
img.preview[hidden] { display: none; }
.field.invalid { border-left: 5px solid var(--bad); padding-left: .75rem; }
.error-summary ul { margin: 0; padding-left: 1.25rem; }
.error-summary a { color: var(--bad); font-weight: 600; }
.typeahead .chosen { display: block; min-height: 1.5rem; color: var(--muted); }
fieldset.where, fieldset.who { border-top: 1px solid var(--line); padding-top: .75rem; }
fieldset.where > * + *, fieldset.who > * + * { margin-top: 1rem; }
.incident-number { font-size: 1.5rem; font-variant-numeric: tabular-nums; }
ul.work-orders { list-style: none; padding: 0; display: grid; gap: 1rem; }
ul.work-orders > li { border: 1px solid var(--line); border-left: 6px solid var(--accent); padding: .75rem 1rem; }
ul.work-orders > li.late { border-left-color: var(--bad); }
ul.work-orders h2 { margin: 0 0 .5rem; font-size: 1.25rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
input.amount { max-width: 12rem; font-variant-numeric: tabular-nums; }
`;

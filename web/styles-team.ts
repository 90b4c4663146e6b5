/** The team's pages: the case review, the reports' charts, the directory's changes. */
export const teamStyles = `
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
form.inline { display: inline; }
form.inline button { padding: .25rem .75rem; min-height: 2.75rem; }
ol.review-cases { list-style: none; padding: 0; }
li.review-case { border: 1px solid var(--line); border-left: 6px solid var(--accent); padding: .75rem 1rem; margin-bottom: 1.25rem; }
li.review-case h2 { margin-top: 0; font-size: 1.25rem; }
.reasons .tag { margin: 0 .25rem .25rem 0; }
details > summary { cursor: pointer; font-weight: 600; color: var(--accent); min-height: 2.75rem; padding: .5rem 0; }
details[open] > summary { margin-bottom: .75rem; }
.agreement-form { margin-top: 1rem; }
.agreement-form .fields { display: flex; flex-wrap: wrap; gap: 1rem; margin-bottom: 1rem; }
.agreement-form .fields > div { flex: 1 1 12rem; }
ul.agreements li { margin-bottom: .5rem; }
.month-steps { align-self: center; }
.chart-block { margin: 1rem 0 2rem; }
.chart-block figcaption { font-weight: 600; margin-bottom: .5rem; }
.legend { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; font-size: .9375rem; }
.legend svg.swatch { vertical-align: -.15rem; }
.diff-old { text-decoration: line-through; color: var(--bad); }
.diff-new { color: var(--ok); font-weight: 600; }
.policy-table td, .policy-table th { white-space: normal; }
@media (max-width: 40rem) {
  table.stack-on-phone th[scope=row] { display: block; border: 0; padding: .25rem 0 0; }
  table.stack-on-phone td.num { text-align: left; }
}
`;

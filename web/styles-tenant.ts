/**
 * The tenant's link page's own style, on top of the workspace's (web/assets.ts: the same colours,
 * type, buttons, fields and notices), without the staff's menu: one column that reads well on a
 * phone, the deadline and the state stand out, each action a panel of its own.
 */
export const tenantStyles = `
body.tenant main { max-width: 40rem; padding-top: 1.25rem; }
body.tenant header.site .bar, body.tenant footer.site div { max-width: 40rem; }
body.tenant header.site .brand { margin-right: 0; }
body.tenant h1 { overflow-wrap: anywhere; hyphens: auto; }
.kicker { margin: 0 0 .25rem; color: var(--muted); font-size: .9375rem; }
.state { border: 2px solid var(--accent); padding: .75rem 1rem; margin: 0 0 1.5rem; }
.state.ok { border-color: var(--ok); } .state.warn { border-color: var(--warn); }
.state h2 { margin: 0 0 .5rem; font-size: 1.125rem; }
.state p:last-child, .panel p:last-child, .notice p:last-child { margin-bottom: 0; }
dl.facts { grid-template-columns: minmax(6rem, max-content) 1fr; }
dl.facts dd { overflow-wrap: anywhere; }
ul.next { padding-left: 1.25rem; }
ul.next li + li { margin-top: .5rem; }
.panel { border: 1px solid var(--line); border-top: 5px solid var(--ok); padding: 1rem; margin: 1.5rem 0; }
.panel.objection { border-top-color: var(--accent); }
.panel h2 { margin-top: 0; }
.panel textarea, .panel input[type=file] { max-width: none; }
.panel .optional { font-weight: 400; color: var(--muted); }
.panel button { margin-top: 1rem; }
.panel button.secondary { background: var(--accent); color: var(--accent-ink); box-shadow: 0 2px 0 #002a48; }
address.contact { font-style: normal; }
address.contact dl { margin-bottom: 0; }
.iban { font-variant-numeric: tabular-nums; white-space: nowrap; }
@media (max-width: 40rem) {
  body.tenant main { padding: 1rem .875rem 2.5rem; }
  dl.facts { grid-template-columns: 1fr; gap: 0; }
  dl.facts dd { margin-bottom: .5rem; }
  .panel { padding: .875rem; }
}
`;

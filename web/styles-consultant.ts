/** The consultant's pages: the work queue's groups, the incident page's actions (big enough for a thumb in a stairwell). */
export const consultantStyles = `
.work-summary { grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); }
.work-summary a { display: block; text-decoration: none; font-weight: 600; min-height: 2.75rem; }
.work-summary a:hover .count { text-decoration: underline; }
ul.work-list { list-style: none; padding: 0; }
ul.work-list li { border-bottom: 1px solid var(--line); padding: .5rem 0; }
ul.work-list a { display: inline-block; font-weight: 600; padding: .25rem 0; min-height: 2.75rem; }
ul.work-list .muted { display: block; }
.filters > .search-field { flex: 1 1 100%; }
.filters input[type=search] { max-width: 48rem; }
.incident-actions { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); }
.incident-actions section { border: 2px solid var(--line); padding: 1rem; }
.incident-actions h3 { margin-top: 0; }
.big-choices { display: grid; gap: .75rem; grid-template-columns: 1fr 1fr; }
.big-choices button { width: 100%; min-height: 3.5rem; font-size: 1.125rem; }
ol.timeline .when { display: block; color: var(--muted); font-size: .9375rem; }
ol.timeline .who { font-weight: 600; }
ol.timeline ul.photos { list-style: none; display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0 0; padding: 0; }
ol.timeline ul.photos img { display: block; width: 160px; height: 120px; object-fit: cover; border: 1px solid var(--line); }
ol.timeline blockquote { margin: .25rem 0 0; padding-left: .75rem; border-left: 3px solid var(--line); }
.letters li { margin-bottom: .5rem; }
.word-break { overflow-wrap: anywhere; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
dl.facts dd, ol.timeline li { overflow-wrap: anywhere; }
.lead .tag { vertical-align: middle; }
ul.post-letters { list-style: none; padding: 0; }
li.post-letter { border-bottom: 1px solid var(--line); padding: .75rem 0; }
li.post-letter h3 { margin: 0 0 .25rem; }
.post-form { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; }
.post-form button { min-height: 2.75rem; }
@media (max-width: 40rem) {
  .work-summary { grid-template-columns: 1fr 1fr; gap: .5rem; }
  .work-summary .card { padding: .5rem .75rem; }
  .work-summary .count { font-size: 1.5rem; }
  .big-choices { grid-template-columns: 1fr; }
  .incident-actions { grid-template-columns: 1fr; }
}
`;

/** Finance's pages (their tables carry the class fin): the ages as compact cards, the worklist, amounts that never break. */
export const financeStyles = `
table.fin td.num, table.fin th.num, .cards.ages .count { white-space: nowrap; }
.cards.ages { grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); }
ul.worklist { list-style: none; padding: 0; display: grid; gap: 1.5rem; }
@media (max-width: 40rem) {
  .cards.ages { grid-template-columns: 1fr 1fr; gap: .5rem; }
  .cards.ages .card { padding: .5rem .75rem; }
  .cards.ages h3 { font-size: 1rem; }
  .cards.ages .count { font-size: 1.375rem; }
  table.fin.stack-on-phone td.num { text-align: left; }
  table.fin.stack-on-phone tfoot tr { display: flex; gap: .5rem; border-bottom: 0; }
  table.fin.stack-on-phone tfoot th, table.fin.stack-on-phone tfoot td { border: 0; padding: .125rem 0; }
}
`;

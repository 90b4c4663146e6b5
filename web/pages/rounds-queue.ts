import { dutchDate } from '../dutch';
import { html } from '../html';
import { roundTexts as t } from '../dutch-rounds';

export interface RoundList {
  rounds: { roundId: string; complexId: string; plannedDate: string; dueDate: string; status: string; overdue: boolean; spacesMarked: number; spacesTotal: number }[];
  total: number;
}

/** The work queue's group of the consultant's rounds to walk: the most urgent first, overdue ones marked as such. */
export function roundsGroup(list: RoundList, shown: number) {
  const late = list.rounds.some((r) => r.overdue);
  return {
    id: 'rondes',
    title: 'Schouwrondes te lopen',
    total: list.total,
    kind: late ? ('bad' as const) : ('warn' as const),
    empty: t.noneOpen,
    items: list.rounds.map((r) => ({
      href: `/app/rondes/${encodeURIComponent(r.roundId)}`,
      label: `${t.roundTitle(r.complexId)}${r.overdue ? ` (${t.overdue.toLowerCase()})` : ''}`,
      detail: html`${t.due} ${dutchDate(r.dueDate)} · ${t.progress(r.spacesMarked, r.spacesTotal)}`,
    })),
    more: list.total > shown ? '/app/rondes' : null,
  };
}

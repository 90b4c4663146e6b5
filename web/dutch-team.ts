/** The Dutch of the team's pages: the case review, the reports, the directory and the policy. */
import type { ReviewReason } from '../db/reviews';

export const reviewReasonLabels: Record<ReviewReason, string> = {
  needs_attention: 'wacht op actie',
  tenancy_escalation: 'huurrechtelijke escalatie',
  repeat_offender: 'herhaalde overtreding',
  disputed: 'bezwaar',
  dispute_upheld: 'bezwaar gegrond',
  escalated: 'opgeschaald naar aannemer',
  deadline_extended: 'termijn verlengd',
  unknown_polluter_again: 'weer onbekende veroorzaker',
};

/** Reasons that ask the most of the team are shown in red. */
export const urgentReasons: readonly ReviewReason[] = ['needs_attention', 'tenancy_escalation', 'repeat_offender'];

const monthNames = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];

/** '2026-12' -> 'december 2026'. */
export const dutchMonth = (month: string) => `${monthNames[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;

/** 0.3333 -> '33,3%'. */
export const dutchPercent = (rate: number | null) => (rate === null ? '–' : `${(Math.round(rate * 1000) / 10).toLocaleString('nl-NL', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`);

/** The Dutch of the team's API refusals; null when another list knows it. */
const refusals: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^incident (.+) not found$/, (m) => `Melding ${m[1]} bestaat niet.`],
  [/^agreement (.+) not found$/, () => 'Deze afspraak bestaat niet (meer).'],
  [/^the agreement was already marked done by (.+)$/, (m) => `Deze afspraak is al afgerond door ${m[1]}.`],
  [/^agreement (.+) was made before with other content$/, () => 'Dit formulier is al eens verstuurd met een andere afspraak. Laad de pagina opnieuw.'],
  [/^from is after to$/, () => 'De begindatum ligt na de einddatum.'],
  [/^the period is longer than ten years$/, () => 'Kies een periode van hoogstens tien jaar.'],
  [/^the upload names the same (.+) more than once$/, (m) => `Het bestand noemt hetzelfde ${m[1] === 'contract number' ? 'contractnummer' : 'nummer'} meer dan eens.`],
  [/^the CSV cannot be read: (.+)$/, (m) => `Het CSV-bestand is niet te lezen (${m[1]}).`],
];

export function teamInDutch(detail: string): string | null {
  for (const [pattern, say] of refusals) {
    const match = detail.match(pattern);
    if (match) return say(match);
  }
  return null;
}

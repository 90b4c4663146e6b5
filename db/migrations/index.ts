import type { Migration } from 'kysely';
import * as initial from './2026-11-25T09-00-initial';
import * as exportBatches from './2026-11-25T12-00-export-batches';
import * as reports from './2026-11-25T13-00-reports';
import * as reportQuarters from './2026-12-03T18-00-report-quarters';
import * as households from './2026-12-04T19-00-households';
import * as reportCellsIntegerSums from './2026-12-04T20-00-report-cells-integer-sums';
import * as incidentsForReview from './2026-12-04T21-00-incidents-for-review';
import * as reportCellsCoveringKey from './2026-12-04T23-00-report-cells-covering-key';
import * as needsAttention from './2026-12-05T09-00-needs-attention';
import * as financeWorklist from './2026-12-05T10-00-finance-worklist';
import * as openAmount from './2026-12-05T12-00-open-amount';
import * as peopleAndSessions from './2026-12-05T13-00-people-and-sessions';
import * as incidentNumbers from './2026-12-05T14-00-incident-numbers';
import * as lettersAsSent from './2026-12-05T15-00-letters-as-sent';
import * as photos from './2026-12-05T16-00-photos';
import * as invoicesByDebtor from './2026-12-05T17-10-invoices-by-debtor';
import * as caseReviews from './2026-12-05T17-40-case-reviews';
import * as directorySearch from './2026-12-05T17-50-directory-search';
import * as buildings from './2026-12-05T18-00-buildings';
import * as consultantWorkQueue from './2026-12-05T18-10-consultant-work-queue';
import * as incidentSearch from './2026-12-05T18-20-incident-search';
import * as incidentNumbersAtOnce from './2026-12-05T18-30-incident-numbers-at-once';
import * as letterPostings from './2026-12-05T19-00-letter-postings';
import * as invoicesByDunningStep from './2026-12-05T19-30-invoices-by-dunning-step';
import * as rounds from './2026-12-05T20-00-rounds';
import * as privacy from './2026-12-05T19-10-privacy';

/** Every migration, by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026-11-25T09-00-initial': initial,
  '2026-11-25T12-00-export-batches': exportBatches,
  '2026-11-25T13-00-reports': reports,
  '2026-12-03T18-00-report-quarters': reportQuarters,
  '2026-12-04T19-00-households': households,
  '2026-12-04T20-00-report-cells-integer-sums': reportCellsIntegerSums,
  '2026-12-04T21-00-incidents-for-review': incidentsForReview,
  '2026-12-04T23-00-report-cells-covering-key': reportCellsCoveringKey,
  '2026-12-05T09-00-needs-attention': needsAttention,
  '2026-12-05T10-00-finance-worklist': financeWorklist,
  '2026-12-05T12-00-open-amount': openAmount,
  '2026-12-05T13-00-people-and-sessions': peopleAndSessions,
  '2026-12-05T14-00-incident-numbers': incidentNumbers,
  '2026-12-05T15-00-letters-as-sent': lettersAsSent,
  '2026-12-05T16-00-photos': photos,
  '2026-12-05T17-10-invoices-by-debtor': invoicesByDebtor,
  '2026-12-05T17-40-case-reviews': caseReviews,
  '2026-12-05T17-50-directory-search': directorySearch,
  '2026-12-05T18-00-buildings': buildings,
  '2026-12-05T18-10-consultant-work-queue': consultantWorkQueue,
  '2026-12-05T18-20-incident-search': incidentSearch,
  '2026-12-05T18-30-incident-numbers-at-once': incidentNumbersAtOnce,
  '2026-12-05T19-00-letter-postings': letterPostings,
  '2026-12-05T19-30-invoices-by-dunning-step': invoicesByDunningStep,
  '2026-12-05T20-00-rounds': rounds,
  '2026-12-05T19-10-privacy': privacy,
};

/** The event streams' ids: one stream per incident and one per invoice. Spelled here only. */
export const incidentStreamId = (incidentId: string) => `incident-${incidentId}`;
export const invoiceStreamId = (invoiceNumber: string) => `invoice-${invoiceNumber}`;
/** The team's case review of a month (YYYY-MM): its conclusions and agreements. */
export const reviewStreamId = (month: string) => `review-${month}`;

/** A supervision round: its workflow is named as its stream. */
export const roundStreamId = (roundId: string) => `round-${roundId}`;
/** A tenant's own facts: that their personal data was erased. */
export const tenantStreamId = (contractNumber: string) => `tenant-${contractNumber}`;

const INCIDENT = 'incident-';
const INVOICE = 'invoice-';

export function incidentIdOfStream(streamId: string): string | null {
  return streamId.startsWith(INCIDENT) ? streamId.slice(INCIDENT.length) : null;
}

export function invoiceNumberOfStream(streamId: string): string | null {
  return streamId.startsWith(INVOICE) ? streamId.slice(INVOICE.length) : null;
}

/** Every event's id is its stream and its version in it, so that appending it again appends nothing. */
export const eventIdAt = (streamId: string, version: number) => `${streamId}/${version}`;

import { defineSearchAttributeKey, type SearchAttributePair, type SearchAttributeType } from '@temporalio/common';
import type { Category } from '../domain/policy';
import type { Phase } from '../domain/incident';

/**
 * What an operator finds an incident by in the Temporal UI (`IncidentNumber = "2026-00123"`).
 * Search attributes are not encrypted (Temporal indexes them): only numbers, ids and codes here,
 * never a description, an address or a name.
 */
export const searchAttributes = {
  incidentNumber: defineSearchAttributeKey('IncidentNumber', 'KEYWORD'),
  category: defineSearchAttributeKey('IncidentCategory', 'KEYWORD'),
  complexId: defineSearchAttributeKey('ComplexId', 'KEYWORD'),
  buildingId: defineSearchAttributeKey('BuildingId', 'KEYWORD'),
  phase: defineSearchAttributeKey('IncidentPhase', 'KEYWORD'),
  invoiceNumber: defineSearchAttributeKey('InvoiceNumber', 'KEYWORD'),
} as const;

/** Each key with its Temporal type: what a cluster must have registered (worker/search-attributes.ts). */
export const searchAttributeKeys: { name: string; type: SearchAttributeType }[] = Object.values(searchAttributes);

export interface IncidentFactsForSearch {
  incidentNumber?: string | null;
  category: Category;
  complexId: string;
  buildingId: string;
}

/** The incident's search attributes: its facts, and its phase as it is now. */
export function incidentSearchAttributes(facts: IncidentFactsForSearch, phase: Phase): SearchAttributePair[] {
  return [
    ...(facts.incidentNumber ? [{ key: searchAttributes.incidentNumber, value: facts.incidentNumber }] : []),
    { key: searchAttributes.category, value: facts.category },
    { key: searchAttributes.complexId, value: facts.complexId },
    { key: searchAttributes.buildingId, value: facts.buildingId },
    { key: searchAttributes.phase, value: phase },
  ];
}

export function invoiceSearchAttributes(invoice: { invoiceNumber: string; incidentNumber?: string | null; category: Category }): SearchAttributePair[] {
  return [
    { key: searchAttributes.invoiceNumber, value: invoice.invoiceNumber },
    ...(invoice.incidentNumber ? [{ key: searchAttributes.incidentNumber, value: invoice.incidentNumber }] : []),
    { key: searchAttributes.category, value: invoice.category },
  ];
}

import { createHash } from 'node:crypto';
import type { Corporation } from '../documents/corporation';

/**
 * The development defaults that stand in for a corporation's own details: fine on a laptop, and
 * refused in production (config/production.ts).
 */
export const placeholderCorporationName = 'Woningcorporatie';
/** The example IBAN of every IBAN tutorial: valid, and nobody's account at a corporation. */
export const placeholderIban = 'NL91ABNA0417164300';
export const placeholderMailFrom = 'Woningcorporatie <geen-antwoord@polluter-pays.local>';

/** How tenants and contractors reach the corporation, unless configured. */
export const defaultCorporationContact: Omit<Corporation, 'name' | 'iban'> = {
  phone: '088 123 45 67',
  email: 'info@woningcorporatie.example',
  website: 'https://www.woningcorporatie.example',
  postalAddress: 'Postbus 1, 3500 AA Utrecht',
  visitingAddress: 'Stationsplein 1, 3511 ED Utrecht',
  openingHours: 'op werkdagen van 9.00 tot 17.00 uur',
  kvk: '12345678',
  bic: 'ABNANL2A',
};

/** Wraps the subjects' data keys in development and tests (refused in production: SUBJECT_KEYS_MASTER_KEY). */
export const developmentSubjectKeysMasterKey = createHash('sha256').update('development-subject-keys-master-key-change-me').digest();

import type { Corporation } from '../../documents/corporation';
import type { RecipientDetails } from '../../documents/letters';

/** The corporation, a tenant and a contractor of the letter tests and the rendered samples (npm run letter-samples). */
export const sampleCorporation: Corporation = {
  name: 'Woonstichting Thuis',
  iban: 'NL91ABNA0417164300',
  bic: 'ABNANL2A',
  kvk: '30123456',
  phone: '030 123 45 67',
  email: 'info@thuis.example',
  website: 'https://www.thuis.example',
  postalAddress: 'Postbus 1, 3500 AA Utrecht',
  visitingAddress: 'Stationsplein 1, 3511 ED Utrecht',
  openingHours: 'op werkdagen van 9.00 tot 17.00 uur',
};
export const sampleTenant: RecipientDetails = { name: 'Karel Vuijlsma', address: { street: 'Kerkstraat', houseNumber: '12-B', postalCode: '3512 AB', city: 'Utrecht' } };
export const sampleContractor: RecipientDetails = { name: 'Schoonmaakbedrijf Glans B.V.', address: null };

import type { Db } from '../../db/connection';
import { type Building, upsertBuildings, upsertContractors, upsertTenants, type Tenant } from '../../db/directory';

/** Building A of complex C1: six households; A-1 has no e-mail (gets letters on paper). */
export const buildingA: Tenant[] = [1, 2, 3, 4, 5, 6].map((n) => ({
  contractNumber: `A-${n}`,
  name: `Bewoner A${n}`,
  email: n === 1 ? null : `a${n}@bewoners.test`,
  street: 'Stationsstraat',
  houseNumber: String(10 + n),
  postalCode: '1234 AB',
  city: 'Utrecht',
  complexId: 'C1',
  buildingId: 'C1-A',
  unit: `${n}`,
}));

/** Building B: three households, too few for an anonymous neighbours' notice. */
export const buildingB: Tenant[] = [1, 2, 3].map((n) => ({
  contractNumber: `B-${n}`,
  name: `Bewoner B${n}`,
  email: `b${n}@bewoners.test`,
  street: 'Kerkweg',
  houseNumber: String(n),
  postalCode: '5678 CD',
  city: 'Utrecht',
  complexId: 'C1',
  buildingId: 'C1-B',
  unit: `${n}`,
}));

/** Building A of complex C2, whose own contractor is the development contractor's company (scripts/oidc-dev-users.json). */
export const buildingC2: Tenant[] = [1, 2, 3, 4].map((n) => ({
  contractNumber: `C2A-${n}`,
  name: `Bewoner C${n}`,
  email: `c${n}@bewoners.test`,
  street: 'Lindelaan',
  houseNumber: String(n),
  postalCode: '3512 AB',
  city: 'Utrecht',
  complexId: 'C2',
  buildingId: 'C2-A',
  unit: `${n}`,
}));

/** Where buildings A and B are, for the contractor's work order. */
export const buildings: Building[] = [
  { buildingId: 'C1-A', complexId: 'C1', street: 'Stationsstraat', houseNumbers: '11-16', postalCode: '1234 AB', city: 'Utrecht', accessNotes: 'Sleutelkastje naast de hoofdingang, code 2468' },
  { buildingId: 'C1-B', complexId: 'C1', street: 'Kerkweg', houseNumbers: '1-3', postalCode: '5678 CD', city: 'Utrecht', accessNotes: null },
];

export const contractor = { contractorId: 'K-1', name: 'Schoon BV', email: 'orders@schoon.test', categories: [], complexes: [] };

export async function seedDirectory(db: Db): Promise<void> {
  await upsertTenants(db, [...buildingA, ...buildingB]);
  await upsertContractors(db, [contractor]);
  await upsertBuildings(db, buildings);
}

/**
 * The incident categories and their Dutch names: apart from the policy's schemas (zod), because the
 * workflows use them, and every module a workflow imports is evaluated again for each workflow the
 * worker starts or replays.
 */
export const categories = [
  'fouled_stairwell',
  'bulk_waste',
  'neglected_garden',
  'vandalism',
  'living_noise',
  'children_playing',
  'parking',
] as const;
export type Category = (typeof categories)[number];

export const categoryLabels: Record<Category, string> = {
  fouled_stairwell: 'vervuild trappenhuis',
  bulk_waste: 'grofvuil in een gemeenschappelijke ruimte',
  neglected_garden: 'verwaarloosde tuin',
  vandalism: 'vernieling',
  living_noise: 'leefgeluid',
  children_playing: 'spelende kinderen',
  parking: 'parkeren',
};

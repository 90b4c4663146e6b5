import { z } from 'zod';
import { isLocalDate } from './calendar';

/** A complex's plan of supervision rounds, as the API and the directory take it (domain/round.ts runs the rounds). */
const id = z.string().trim().min(1).max(100);

export const roundPlanSchema = z
  .object({
    consultant: id.describe('the subject of the consultant who walks the rounds (as they sign in)'),
    intervalWeeks: z.number().int().min(1).max(52).describe('a round every so many weeks'),
    dueWithinWorkingDays: z.number().int().min(1).max(60).default(5).describe('working days to walk a round; later, it is overdue'),
    firstDate: z.string().refine(isLocalDate, 'a date as YYYY-MM-DD').describe('the day of the first round (Europe/Amsterdam)'),
    buildings: z
      .array(
        z.object({
          buildingId: id,
          spaces: z.array(z.string().trim().min(1).max(100)).min(1).max(60).describe('the shared spaces of the building, in walking order'),
        }),
      )
      .min(1)
      .max(50)
      .describe('the buildings in walking order'),
  })
  .superRefine((plan, context) => {
    const seen = new Set<string>();
    plan.buildings.forEach((building, b) => {
      if (seen.has(building.buildingId)) context.addIssue({ code: 'custom', path: ['buildings', b, 'buildingId'], message: 'this building is in the plan twice' });
      seen.add(building.buildingId);
      const names = new Set<string>();
      building.spaces.forEach((space, s) => {
        const key = space.toLowerCase();
        if (names.has(key)) context.addIssue({ code: 'custom', path: ['buildings', b, 'spaces', s], message: 'this space is in the building twice' });
        names.add(key);
      });
    });
  });
export type RoundPlan = z.infer<typeof roundPlanSchema>;

import type { Db } from '../db/connection';
import { roundPlanOf } from '../db/rounds';
import type { RoundPlan } from '../domain/round';

/** The rounds' activities: the plan a round starts from (absent when the complex has none any more). */
export function roundActivities(db: Db) {
  return {
    async roundPlanOf(complexId: string): Promise<RoundPlan | null> {
      const plan = await roundPlanOf(db, complexId);
      return plan && { consultant: plan.consultant, intervalWeeks: plan.intervalWeeks, dueWithinWorkingDays: plan.dueWithinWorkingDays, firstDate: plan.firstDate, buildings: plan.buildings };
    },
  };
}

import { registerTeamSupervision } from './team-supervision';
import type { FastifyInstance } from 'fastify';
import type { WorkspaceDeps } from '../deps';
import { registerAdminDirectory } from './admin-directory';
import { registerAdminPolicy } from './admin-policy';
import { registerAdminPrivacy } from './admin-privacy';
import { registerTeamReports } from './team-reports';
import { registerTeamReview } from './team-review';

/** The team's and the admin's pages: case review, reports, directory, policy. */
export function registerTeamPages(app: FastifyInstance, deps: WorkspaceDeps): void {
  registerTeamReview(app, deps);
  registerTeamReports(app, deps);
  registerTeamSupervision(app, deps);
  registerAdminDirectory(app, deps);
  registerAdminPolicy(app, deps);
  registerAdminPrivacy(app, deps);
}

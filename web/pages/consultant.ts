import type { FastifyInstance } from 'fastify';
import type { WorkspaceDeps } from '../deps';
import { registerConsultantIncident } from './consultant-incident';
import { registerConsultantWork } from './consultant-work';

/** The consultant's pages: the work queue and the incident page (the list with its search is web/pages/incidents.ts). */
export function registerConsultantPages(app: FastifyInstance, deps: WorkspaceDeps): void {
  registerConsultantWork(app, deps);
  registerConsultantIncident(app, deps);
}

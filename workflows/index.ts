export { incidentWorkflow } from './incident';
export { invoiceWorkflow } from './invoice';

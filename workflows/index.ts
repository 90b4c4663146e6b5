export { incidentWorkflow } from './incident';
export { invoiceWorkflow } from './invoice';
export { retentionWorkflow } from './retention';

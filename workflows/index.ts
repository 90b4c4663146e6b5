export { incidentWorkflow } from './incident';
export { invoiceWorkflow } from './invoice';
export { roundWorkflow } from './round';
export { retentionWorkflow } from './retention';

import type { FastifyInstance } from 'fastify';
import type { WorkspaceDeps } from '../deps';
import { registerFinanceExportPages } from './finance-exports';
import { registerFinanceInvoicePages } from './finance-invoices';
import { registerFinancePaymentPages } from './finance-payments';

/** Finance's pages: invoices and debtors' accounts, payments and the worklist, exports. */
export function registerFinancePages(app: FastifyInstance, deps: WorkspaceDeps): void {
  registerFinanceInvoicePages(app, deps);
  registerFinancePaymentPages(app, deps);
  registerFinanceExportPages(app, deps);
}

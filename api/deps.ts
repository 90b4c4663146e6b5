import type { Client } from '@temporalio/client';
import type { Db } from '../db/connection';
import type { Config } from '../config/config';

/** What the API works with: the database, Temporal, and the part of the configuration it reads. */
export interface ApiDeps {
  db: Db;
  temporal: Client;
  config: Pick<
    Config,
    'apiKeys' | 'linkSecret' | 'policy' | 'publicUrl' | 'corporationName' | 'corporationIban' | 'corporationAddress' | 'temporal'
  > &
    // smtpUrl: the relay the worker sends through, which /readyz asks too (unset: not asked).
    // Without `oidc` nobody signs in to the workspace (the API's keys and links work as ever).
    // Without `subjectKeysMasterKey`, the development key (db/subject-keys.ts): tests and scripts.
    Partial<Pick<Config, 'tenantLinkRateLimit' | 'oidc' | 'sessionSecret' | 'corporationContact' | 'smtpUrl' | 'temporalUiOrigin' | 'subjectKeysMasterKey' | 'subjectKeysPreviousMasterKey'>>;
}

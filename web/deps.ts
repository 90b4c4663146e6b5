import type { OidcConfig } from '../config/config';
import type { Db } from '../db/connection';

/** What the workspace's pages work with (they read and act through the API itself: web/api-client.ts). */
export interface WorkspaceDeps {
  db: Db;
  oidc: OidcConfig | undefined;
  publicUrl: string;
  corporationName: string;
}

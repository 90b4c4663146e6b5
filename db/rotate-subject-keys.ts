import { loadConfig } from '../config/config';
import { createDb } from './connection';
import { subjectKeysOf } from './subject-keys';

/**
 * `npm run subject-keys:rotate`: rewrap every subject key with SUBJECT_KEYS_MASTER_KEY (the new
 * master key) that is still wrapped with SUBJECT_KEYS_PREVIOUS_MASTER_KEY. Run it once the API and
 * the workers have both settings; when it reports nothing left under the previous key, remove that
 * setting everywhere (README: Operations, Subject keys).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.subjectKeysPreviousMasterKey) throw new Error('SUBJECT_KEYS_PREVIOUS_MASTER_KEY is not set: there is no previous master key to rotate from');
  const db = createDb(config.databaseUrl);
  try {
    const { rewrapped, alreadyCurrent } = await subjectKeysOf(db, config).rewrapAll();
    console.log(`rewrapped ${rewrapped} subject keys with the new master key; ${alreadyCurrent} were under it already`);
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});

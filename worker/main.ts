import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createSmtpMailer } from '../activities/mailer';
import { createDb } from '../db/connection';
import { loadConfig, type Config } from '../config/config';
import { temporalConnectionOptions, untilConnected } from '../config/temporal-connection';
import { Client, Connection } from '@temporalio/client';
import { ensureRetentionSchedule } from './retention-schedule';

/** Build a worker for the incident workflows; `npm start` runs it in-process, deployments as `npm run worker`. */
export async function createWorker(config: Config, smtpUrl: string) {
  const db = createDb(config.databaseUrl);
  const mailer = createSmtpMailer(smtpUrl, config.mailFrom, config.corporationContact.email);
  // Started while Temporal restarts (or beside it), it waits rather than exits.
  const connection = await untilConnected(() => NativeConnection.connect(temporalConnectionOptions(config)));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({
      db,
      mailer,
      policy: config.policy,
      publicUrl: config.publicUrl,
      linkSecret: config.linkSecret,
      corporationName: config.corporationName,
      corporationIban: config.corporationIban,
      corporationAddress: config.corporationAddress,
      corporationContact: config.corporationContact,
      subjectKeysMasterKey: config.subjectKeysMasterKey,
    }),
  });
  return {
    worker,
    async close() {
      await connection.close();
      mailer.close();
      await db.destroy();
    },
  };
}

if (require.main === module) {
  const config = loadConfig();
  if (!config.smtpUrl) {
    console.error('SMTP_URL is required for a standalone worker (npm start runs a local mail catcher instead)');
    process.exit(1);
  }
  createWorker(config, config.smtpUrl)
    .then(async ({ worker, close }) => {
      // The daily retention run (README: Operations, Retention): made once, left as an operator set it.
      const connection = await Connection.connect(temporalConnectionOptions(config));
      await ensureRetentionSchedule(new Client({ connection, namespace: config.temporal.namespace }), config.temporal.taskQueue);
      await connection.close();
      await worker.run(); // stops on SIGINT/SIGTERM
      await close();
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}

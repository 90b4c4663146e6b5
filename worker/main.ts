import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createSmtpMailer } from '../activities/mailer';
import { createDb } from '../db/connection';
import { loadConfig, type Config } from '../config/config';
import { temporalConnectionOptions, untilConnected } from '../config/temporal-connection';
import { workerSizingOptions } from './sizing';

/** Build a worker for the incident workflows; `npm start` runs it in-process, deployments as `npm run worker`. */
export async function createWorker(config: Config, smtpUrl: string) {
  const db = createDb(config.databaseUrl, config.databasePoolSize);
  const mailer = createSmtpMailer(smtpUrl, config.mailFrom, config.corporationContact.email);
  // Started while Temporal restarts (or beside it), it waits rather than exits.
  const connection = await untilConnected(() => NativeConnection.connect(temporalConnectionOptions(config)));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    ...workerSizingOptions(config.worker),
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
      await worker.run(); // stops on SIGINT/SIGTERM
      await close();
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}

import { readFileSync } from 'node:fs';
import type { Config } from './config';

/** Where the worker and the API look for Temporal when TEMPORAL_ADDRESS is unset. */
export const defaultTemporalAddress = '127.0.0.1:7233';

/** Connection options for the client and the worker alike: address, TLS (mTLS or an API key). */
export function temporalConnectionOptions(config: Pick<Config, 'temporal'>) {
  const { address, tls, apiKey } = config.temporal;
  return {
    address: address ?? defaultTemporalAddress,
    tls: tls ? { clientCertPair: { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } } : apiKey ? true : undefined,
    apiKey,
  };
}

/** Where Temporal is looked for, and the setting that says so: for messages. */
export function temporalAddressLabel(config: Pick<Config, 'temporal'>): string {
  const { address } = config.temporal;
  return address ? `${address} (TEMPORAL_ADDRESS)` : `${defaultTemporalAddress} (the default; set TEMPORAL_ADDRESS)`;
}

/**
 * Connect, and while Temporal does not answer (restarting, or starting beside this process) try
 * again: a worker started a moment too early waits for it instead of exiting. Gives up
 * with the last error after `timeoutMs` (5 minutes).
 */
export async function untilConnected<T>(
  connect: () => Promise<T>,
  log: (line: string) => void = console.error,
  timeoutMs = 300_000,
  where = 'its address (TEMPORAL_ADDRESS)',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 500; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      return await connect();
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      if (Date.now() + wait > deadline) throw new Error(`Temporal does not answer at ${where}: ${reason}`, { cause: error });
      log(`Temporal does not answer at ${where} (${reason}); trying again in ${wait / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

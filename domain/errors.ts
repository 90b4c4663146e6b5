/** Errors that carry what the API needs to answer. */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The incident's state refuses the command (HTTP 409). */
export class IllegalStateError extends DomainError {
  constructor(message: string) {
    super(message, 'illegal_state');
  }
}

/** A referenced thing does not exist (HTTP 404). */
export class NotFoundError extends DomainError {
  constructor(message: string) {
    super(message, 'not_found');
  }
}

/** Input that passed the schema but breaks a rule (HTTP 400). */
export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly fields: { path: string; message: string }[] = [],
  ) {
    super(message, 'validation');
  }
}

/**
 * Why an activity failed on its data rather than on a dependency: retrying cannot help, so the
 * activity fails at once (non-retryable) with one of these types, and the workflow waits in
 * "needs attention" for a person instead of retrying forever.
 * - `UnstorableData`: the database refused the data (SQLSTATE class 22 or 23) or an event is invalid;
 * - `UndeliverableLetter`: the mail relay refused the recipient for good (5xx on the address).
 */
export const dataFailureTypes = ['UnstorableData', 'UndeliverableLetter'] as const;
export type DataFailureType = (typeof dataFailureTypes)[number];

/** A warning's offence number was counted before another offence of the same tenant was recorded: count again. */
export const STALE_OFFENCE_COUNT = 'StaleOffenceCount';

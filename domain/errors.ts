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

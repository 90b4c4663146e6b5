import { ActivityFailure, ApplicationFailure, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { DomainEvent } from '../domain/events';
import { UNSTORABLE_TEXT_MESSAGE, unstorableTextPath } from '../domain/text';
import { DomainError, STALE_OFFENCE_COUNT, dataFailureTypes, type DataFailureType } from '../domain/errors';
import type { Activities } from '../activities';

type AppendInput = Parameters<Activities['appendEvents']>[0];

/** Named presets: the store and the directory answer quickly; mail may wait on a slow relay. */
export const storeActivity = { startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } } as const;
/**
 * A letter batch heartbeats after each letter (and while one is being sent), so that when a worker
 * dies its batch is tried again within the heartbeat timeout rather than after the whole limit.
 */
export const mailActivity = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
} as const;

/** Domain errors leave a handler as ApplicationFailure: the API turns them into 409 or 400 with the reason. */
export function asFailure(error: unknown): never {
  if (error instanceof DomainError) {
    throw ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: true });
  }
  throw error;
}

/** An activity failed on its data (see `dataFailureTypes`): retrying it as it is cannot help. */
export function dataFailureOf(error: unknown): { type: DataFailureType; message: string } | null {
  const cause = error instanceof ActivityFailure ? error.cause : null;
  if (cause instanceof ApplicationFailure && (dataFailureTypes as readonly (string | undefined | null)[]).includes(cause.type)) {
    return { type: cause.type as DataFailureType, message: cause.message };
  }
  return null;
}

export function failureTypeOf(error: unknown): string | null {
  const cause = error instanceof ActivityFailure ? error.cause : null;
  return cause instanceof ApplicationFailure ? (cause.type ?? null) : null;
}

/** An append that was not tried because one queued before it failed: the step can be tried again at once. */
export class AppendAbandoned extends Error {
  constructor() {
    super('an earlier append failed; this one was not tried');
    this.name = 'AppendAbandoned';
  }
}

/** A step given up while it waited for attention (the incident was cancelled meanwhile). */
export class StepAbandoned extends Error {
  constructor() {
    super('the step was abandoned');
    this.name = 'StepAbandoned';
  }
}

interface Snapshot<S> {
  state: S;
  version: number;
}

/**
 * A workflow's own event stream: the state evolves at once (Update handlers answer with it), the
 * appends go out in order through the `appendEvents` activity with the version each expects. When
 * an append fails (on its data: other failures are retried by the activity), the state rolls back to
 * what is stored and every append queued behind it fails too, so that the workflow never believes
 * in an event the store does not hold.
 */
export class EventStream<S> {
  private current: Snapshot<S>;
  private durable: Snapshot<S>;
  private appended: Promise<unknown> = Promise.resolve();
  private generation = 0;

  constructor(
    readonly streamId: string,
    initial: Snapshot<S>,
    private readonly evolve: (state: S, event: DomainEvent) => S,
    private readonly append: (input: AppendInput) => Promise<unknown>,
  ) {
    this.current = initial;
    this.durable = initial;
  }

  get state(): S {
    return this.current.state;
  }

  get version(): number {
    return this.current.version;
  }

  /** The id the next event will have: letters take their ids from the event that carries them. */
  nextEventId(offset = 1): string {
    return `${this.streamId}/${this.current.version + offset}`;
  }

  record(events: DomainEvent[], actor = 'system'): Promise<void> {
    if (events.length === 0) return this.appended.then(() => undefined);
    const { workflowId, runId } = workflowInfo();
    const expectedVersion = this.current.version;
    const batch = events.map((event, index) => ({ eventId: `${this.streamId}/${expectedVersion + index + 1}`, event }));
    this.current = { state: events.reduce(this.evolve, this.current.state), version: expectedVersion + events.length };
    const metadata = { workflowId, runId, actor, causationId: batch[0]?.eventId };
    const append = this.appended.then(
      () => this.append({ streamId: this.streamId, expectedVersion, events: batch, metadata }),
      abandon,
    );
    this.track(append, () => events);
    this.appended = append;
    return append.then(() => undefined);
  }

  /**
   * Events that an activity appends itself at the next version, in a transaction of its own (an
   * invoice number or credit-note number taken with it): queued behind the other appends; the state
   * evolves with the events it answers with.
   */
  recordThrough<T>(count: number, perform: (expectedVersion: number) => Promise<T>, eventsOf: (result: T) => DomainEvent[]): Promise<T> {
    const expectedVersion = this.current.version;
    this.current = { ...this.current, version: expectedVersion + count };
    const issuing = this.appended.then(() => perform(expectedVersion), abandon);
    this.track(issuing, eventsOf, (events) => {
      this.current = { ...this.current, state: events.reduce(this.evolve, this.current.state) };
    });
    this.appended = issuing;
    return issuing;
  }

  /**
   * Every append so far is stored; rejects when one failed (the state is rolled back by then).
   * Awaited as it is, without wrappers: the moment a workflow resumes from it is part of the
   * command order that recorded histories replay.
   */
  settled(): Promise<unknown> {
    return this.appended;
  }

  private track<T>(append: Promise<T>, eventsOf: (result: T) => DomainEvent[], evolveCurrent?: (events: DomainEvent[]) => void): void {
    const generation = this.generation;
    append.then(
      (result) => {
        const events = eventsOf(result);
        this.durable = { state: events.reduce(this.evolve, this.durable.state), version: this.durable.version + events.length };
        evolveCurrent?.(events);
      },
      () => {
        if (this.generation !== generation) return;
        // The first failed append of this generation: back to what is stored; what was queued behind it fails with it.
        this.generation += 1;
        this.current = this.durable;
        this.appended = Promise.resolve();
      },
    );
  }
}

function abandon(): never {
  throw new AppendAbandoned();
}

export interface AttentionHooks {
  record(step: string, reason: string): Promise<void>;
  resolved(): boolean;
  abandoned(): boolean;
}

/**
 * A step failed on its data: record that it needs attention and wait until a person resolves it, or
 * throw StepAbandoned when the process is given up meanwhile (cancelled, dismissed, paid).
 */
export async function awaitAttention(step: string, failure: { message: string }, attention: AttentionHooks): Promise<void> {
  await attention.record(step, readableReason(failure.message));
  await condition(() => attention.resolved() || attention.abandoned());
  if (attention.abandoned()) throw new StepAbandoned();
}

/**
 * Append a step's events: true when they are stored; false when they could not be, and the step is
 * to be decided again from what is stored (after a person has seen to a failure on its data, or at
 * once when an offence number had to be counted again or an earlier append failed).
 */
export async function recordStep<S>(stream: EventStream<S>, step: string, events: DomainEvent[], attention: AttentionHooks): Promise<boolean> {
  try {
    await stream.record(events);
    return true;
  } catch (error) {
    const failure = dataFailureOf(error);
    if (failure) await awaitAttention(step, failure, attention);
    else if (failureTypeOf(error) !== STALE_OFFENCE_COUNT && !(error instanceof AppendAbandoned)) throw error;
    return false;
  }
}

/** Carry out a step; when it fails on its data, wait for attention and try it again. */
export async function persevere<T>(step: string, action: () => Promise<T>, attention: AttentionHooks): Promise<T> {
  for (;;) {
    try {
      return await action();
    } catch (error) {
      // The state is back to what is stored: the step, asked again, decides anew (an offence counted again).
      if (error instanceof AppendAbandoned || failureTypeOf(error) === STALE_OFFENCE_COUNT) continue;
      const failure = dataFailureOf(error);
      if (!failure) throw error;
      await awaitAttention(step, failure, attention);
    }
  }
}

/** A reason fit to store and show: no characters PostgreSQL refuses, and not too long. */
function readableReason(message: string): string {
  // eslint-disable-next-line no-control-regex -- NUL and other control characters are what this removes
  const clean = message.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\uD800-\uDFFF]/g, '?');
  return clean.length > 500 ? `${clean.slice(0, 499)}…` : clean;
}

/**
 * A command as a Workflow Update: its validator runs the domain's decision (a refusal comes back to
 * the caller with the reason, and nothing is written, text PostgreSQL cannot store included); its
 * handler records the decided events and answers.
 */
export function acceptUpdate<S, Args, Ret>(
  stream: EventStream<S>,
  definition: UpdateDefinition<Ret, [Args]>,
  decision: (args: Args) => DomainEvent[],
  actorOf: (args: Args) => string,
  answer: (events: DomainEvent[]) => Ret,
): void {
  const decided = (args: Args) => {
    try {
      return decision(args);
    } catch (error) {
      asFailure(error);
    }
  };
  setHandler(
    definition,
    async (args) => {
      const events = decided(args);
      try {
        await stream.record(events, actorOf(args));
      } catch (error) {
        rethrowAsUpdateFailure(error);
      }
      return answer(events);
    },
    {
      validator: (args) => {
        const at = unstorableTextPath(decided(args));
        if (at) throw ApplicationFailure.create({ type: 'unstorable', message: `${at.slice(2).join('.')} ${UNSTORABLE_TEXT_MESSAGE}`, nonRetryable: true });
      },
    },
  );
}

/** An append that failed under an Update: refused with the reason, the state as it was. */
export function rethrowAsUpdateFailure(error: unknown): never {
  const failure = dataFailureOf(error);
  if (failure) throw ApplicationFailure.create({ type: 'unstorable', message: failure.message, nonRetryable: true });
  if (error instanceof AppendAbandoned) throw ApplicationFailure.create({ type: 'retry', message: 'busy with an earlier change; try again', nonRetryable: true });
  throw error;
}

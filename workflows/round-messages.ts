import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Category } from '../domain/policy';
import type { RoundState } from '../domain/round';
import { roundStreamId } from '../domain/streams';

/** A round's workflow is named as its stream; a schedule's runs add the time they were scheduled for. */
export const roundWorkflowId = roundStreamId;
export const roundIdOfWorkflow = (workflowId: string) => workflowId.replace(/^round-/, '');

/** The Temporal Schedule that starts a complex's rounds. */
export const roundScheduleId = (complexId: string) => `round-plan-${complexId}`;

/** Only the complex: the round reads its plan (spaces, consultant) from the directory when it starts. */
export interface RoundInput {
  complexId: string;
}

export interface RoundUpdateResult {
  streamVersion: number;
  state: RoundState;
}

export const markInOrderUpdate = defineUpdate<RoundUpdateResult, [{ buildingId: string; position: number; by: string }]>('markInOrder');
export const recordFindingUpdate = defineUpdate<
  RoundUpdateResult,
  [{ findingId: string; buildingId: string; position: number; category: Category; incidentId: string; polluterKnown: boolean; by: string }]
>('recordFinding');
export const pauseRoundUpdate = defineUpdate<RoundUpdateResult, [{ by: string }]>('pauseRound');
export const resumeRoundUpdate = defineUpdate<RoundUpdateResult, [{ by: string }]>('resumeRound');
export const completeRoundUpdate = defineUpdate<RoundUpdateResult, [{ by: string }]>('completeRound');
export const roundStateQuery = defineQuery<RoundState>('roundState');

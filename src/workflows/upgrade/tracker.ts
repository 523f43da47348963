// The workflow's side of an executing plan: its progress record (src/domain/execution.ts) and the operator's
// answers. The plan runner opens a wait and awaits its answer; the update handlers (execution-handlers.ts) answer
// it. Every change is published (status, Web UI details) through `onChange`.
import { condition } from '@temporalio/workflow';
import {
  BLOCKING_WAITS,
  completedStepIds,
  newExecutionProgress,
  type ExecutionProgress,
  type ExecutionWait,
  type OperatorDecision,
  type StepAttempt,
  type StepProgress,
  type StepState,
} from '../../domain/execution';
import type { AnyPlan, PlanStageName } from '../../domain/plan';

/** Distributes Omit over a union (the built-in Omit merges the members). */
type WaitFields<W> = W extends ExecutionWait ? Omit<W, 'since'> : never;

export class ExecutionTracker {
  readonly progress: ExecutionProgress;
  private readonly answers = new Map<string, OperatorDecision>();
  /** A confirmed rollback: no new step starts, every open decision is answered `rollback`. */
  private rollbackDecision?: OperatorDecision;

  constructor(
    readonly plan: AnyPlan,
    target: { clusterName: string; region: string; label?: string },
    private readonly onChange: () => void,
  ) {
    this.progress = newExecutionProgress(plan, target);
  }

  step(stepId: string): StepProgress {
    const step = this.progress.steps.find((s) => s.stepId === stepId);
    if (!step) throw new Error(`no step ${stepId} in the plan`);
    return step;
  }

  setStage(stage: PlanStageName, state: ExecutionProgress['stages'][number]['state']): void {
    const entry = this.progress.stages.find((s) => s.stage === stage);
    if (entry) entry.state = state;
    this.onChange();
  }

  setStep(stepId: string, state: StepState, note?: { note?: string; byHand?: string[] }): void {
    const step = this.step(stepId);
    step.state = state;
    if (note?.note) step.note = note.note;
    if (note?.byHand) step.byHand = note.byHand;
    this.onChange();
  }

  record(stepId: string, attempt: StepAttempt, state: StepState): void {
    const step = this.step(stepId);
    step.attempts.push(attempt);
    step.state = state;
    this.onChange();
  }

  completed(): Set<string> {
    return completedStepIds(this.progress);
  }

  /** Steps whose EKS call runs now. */
  running(): string[] {
    return this.progress.steps.filter((s) => s.state === 'running').map((s) => s.stepId);
  }

  get rollbackRequested(): boolean {
    return this.rollbackDecision !== undefined;
  }

  // --- waits and answers -------------------------------------------------------------------------------------

  open(wait: WaitFields<ExecutionWait>): ExecutionWait {
    const full: ExecutionWait = { ...wait, since: new Date().toISOString() };
    this.progress.waits.push(full);
    if ('stepId' in full) {
      const step = this.progress.steps.find((s) => s.stepId === full.stepId);
      if (step) step.state = 'waiting';
    }
    this.onChange();
    return full;
  }

  /** Waits for the operator's answer to `wait`, then closes it. A rollback confirmed meanwhile answers it too. */
  async answerTo(wait: ExecutionWait): Promise<OperatorDecision> {
    await condition(() => this.answers.has(wait.id) || this.rollbackRequested);
    const answer = this.answers.get(wait.id) ?? this.rollbackDecision;
    this.answers.delete(wait.id);
    this.close(wait.id);
    if (!answer) throw new Error(`wait ${wait.id} closed without an answer`);
    return answer;
  }

  private close(id: string): void {
    const i = this.progress.waits.findIndex((w) => w.id === id);
    if (i >= 0) this.progress.waits.splice(i, 1);
    this.onChange();
  }

  /** Records an operator's decision and hands it to the wait it answers. */
  answer(waitId: string, decision: OperatorDecision): void {
    this.progress.decisions.push(decision);
    this.answers.set(waitId, decision);
    this.onChange();
  }

  requestRollback(decision: OperatorDecision): void {
    this.progress.decisions.push(decision);
    this.rollbackDecision = decision;
    this.onChange();
  }

  requestPause(by: string, reason: string | undefined): void {
    this.progress.pauseRequested = { by, ...(reason ? { reason } : {}), at: new Date().toISOString() };
    this.progress.decisions.push({ action: 'pause', by, ...(reason ? { reason } : {}), at: new Date().toISOString() });
    this.onChange();
  }

  /** Ends a pause (requested or reached) and answers waits for a stage gate or a manual step. */
  resume(decision: OperatorDecision): string[] {
    const resumed: string[] = [];
    if (this.progress.pauseRequested) {
      delete this.progress.pauseRequested;
      resumed.push('pause');
    }
    this.progress.decisions.push(decision);
    for (const wait of [...this.progress.waits]) {
      if (wait.kind === 'paused') this.close(wait.id);
      if (wait.kind === 'between-stages' || wait.kind === 'manual') {
        this.answers.set(wait.id, decision);
        resumed.push(wait.id);
      }
    }
    this.onChange();
    return [...new Set(resumed)];
  }

  /**
   * Before a step starts: waits while the run is paused or another step waits for a decision (a failure stops
   * the run). Resolves `stop` once a rollback is confirmed.
   */
  async gate(): Promise<'go' | 'stop'> {
    const blocked = () => this.progress.waits.some((w) => BLOCKING_WAITS.includes(w.kind) && w.kind !== 'paused');
    for (;;) {
      if (this.rollbackRequested) return 'stop';
      if (this.progress.pauseRequested && !this.progress.waits.some((w) => w.kind === 'paused')) {
        const { by, reason } = this.progress.pauseRequested;
        this.open({ kind: 'paused', id: 'pause', by, ...(reason ? { reason } : {}) });
      }
      if (!this.progress.pauseRequested && !blocked()) return 'go';
      await condition(
        () => this.rollbackRequested || (!this.progress.pauseRequested && !blocked()) || this.pauseNotShown(),
      );
    }
  }

  private pauseNotShown(): boolean {
    return !!this.progress.pauseRequested && !this.progress.waits.some((w) => w.kind === 'paused');
  }
}

// A BedrockPermitGate for Bedrock-layer tests: grants every permit and records what it was asked and told, so
// tests can check that each call (repairs included) asked first and settled after. The real gate is the guard's.
import type { BedrockCallOutcome, BedrockPermitGate, BedrockPermitRequest } from '../../src/activities/contracts';

export type RecordedSettlement =
  { ok: true; actualCostUsd: number; inputTokens: number; outputTokens: number } | { ok: false; error: unknown };

export class RecordingPermitGate implements BedrockPermitGate {
  readonly requests: BedrockPermitRequest[] = [];
  readonly settlements: RecordedSettlement[] = [];

  async run<T>(request: BedrockPermitRequest, invoke: () => Promise<BedrockCallOutcome<T>>): Promise<T> {
    this.requests.push(request);
    try {
      const outcome = await invoke();
      this.settlements.push({
        ok: true,
        actualCostUsd: outcome.actualCostUsd,
        inputTokens: outcome.inputTokens,
        outputTokens: outcome.outputTokens,
      });
      return outcome.value;
    } catch (error) {
      this.settlements.push({ ok: false, error });
      throw error;
    }
  }

  /** Records settlements synchronously: nothing is ever pending. */
  drain(): Promise<void> {
    return Promise.resolve();
  }
}

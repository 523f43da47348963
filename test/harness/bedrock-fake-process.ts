// The Bedrock wire fake in a process of its own, so that the arrival times in its request log are taken by an event
// loop that nothing else keeps busy (in a test process that also runs workers, a stall would stamp requests late
// and bunch them). It answers every template like scriptedModel() (GO), except during the storms given in
// FAKE_STORMS (JSON [[fromMs, toMs], …] after the first request), when it throttles or fails with 503 three calls in
// five. Prints `bedrock-fake-ready <url>`; the log is at GET <url>/__fake/requests.
import { bedrockErrors, startBedrockFake } from '../fakes/bedrock-fake';
import { scriptedModel } from '../integration/upgrade-support';

async function main(): Promise<void> {
  const storms = JSON.parse(process.env.FAKE_STORMS ?? '[]') as [number, number][];
  const model = scriptedModel({ decision: 'GO', delayMs: Number(process.env.FAKE_DELAY_MS ?? 50) });
  let firstAt: number | undefined;
  let n = 0;
  const fake = await startBedrockFake({
    handler: (call) => {
      firstAt ??= Date.now();
      const t = Date.now() - firstAt;
      n += 1;
      if (storms.some(([from, to]) => t >= from && t < to) && n % 5 < 3)
        return n % 2 === 0 ? bedrockErrors.throttlingRequests() : bedrockErrors.serviceUnavailable();
      return model(call);
    },
  });
  process.stdout.write(`bedrock-fake-ready ${fake.url}\n`);
  process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

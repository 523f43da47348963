// The command registry: every command declared once, each flag set reaching its implementation, and nothing heavy
// loaded before a command is chosen (so `--help` stays quick).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineCommand, defineGroup, type CommandSpec } from '../../src/client/command-registry';
import { COMMANDS } from '../../src/client/commands';
import { buildProgram } from '../../src/client/program';

const HEAVY = ['@temporalio/client', '@temporalio/worker', '@aws-sdk/', 'pino', 'yaml'];

void describe('command registry', () => {
  void it('loads no command implementation, Temporal client or AWS SDK just to build the program', () => {
    buildProgram(() => Promise.resolve());
    const loaded = Object.keys(require.cache).filter((path) => HEAVY.some((name) => path.includes(`/${name}`)));
    assert.deepEqual(loaded, []);
  });

  void it('declares every command of the product once', () => {
    const names = COMMANDS.map((c) => c.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of ['start', 'status', 'approve', 'abort', 'rollback', 'report', 'list', 'cost', 'scan'])
      assert.ok(names.includes(name), name);
    for (const name of ['snapshot', 'worker', 'demo']) assert.ok(names.includes(name), name);
    const duplicate = [...COMMANDS, defineCommand({ name: 'scan', description: 'again', run: () => fail() })];
    assert.throws(() => buildProgram(() => Promise.resolve(), duplicate), /'scan' is declared twice/);
  });

  void it('hands the chosen command its parsed flags; groups route to their subcommands', async () => {
    const seen: Array<[string, Record<string, unknown>]> = [];
    const commands: CommandSpec[] = [
      defineCommand({
        name: 'plan',
        description: 'a plan',
        flags: (cmd) => cmd.option('--cluster <name>').option('--no-ai'),
        run: () => fail(),
      }),
      defineGroup({
        name: 'campaign',
        description: 'campaigns',
        subcommands: [
          defineCommand({ name: 'start', description: 's', flags: (c) => c.option('--file <f>'), run: fail }),
        ],
      }),
    ];
    const program = buildProgram((spec, flags) => {
      seen.push([spec.name, flags]);
      return Promise.resolve();
    }, commands);
    await program.parseAsync(['node', 'eks-upgrade', 'plan', '--cluster', 'prod', '--no-ai']);
    await program.parseAsync(['node', 'eks-upgrade', 'campaign', 'start', '--file', 'fleet.yaml']);
    assert.deepEqual(seen, [
      ['plan', { cluster: 'prod', ai: false }],
      ['start', { file: 'fleet.yaml' }],
    ]);
  });
});

function fail(): Promise<never> {
  return Promise.reject(new Error('implementation loaded'));
}

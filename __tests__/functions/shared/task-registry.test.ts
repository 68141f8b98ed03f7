import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TASKS, TASK_FUNCTION_NAMES } from '../../../functions/shared/contracts';
import { synthesizedStateMachines } from '../../support/synthesized';

/** The registry (TASKS) is the one list of task functions: folders and state machines agree with it. */
const ROOT = join(__dirname, '..', '..', '..');

describe('the task registry', () => {
  it.each(TASK_FUNCTION_NAMES)('%s has its folder: a handler exporting makeHandler and handler, and a core', async (task) => {
    expect(existsSync(join(ROOT, 'functions', task, 'core.ts'))).toBe(true);
    const module = (await import(join(ROOT, 'functions', task, 'handler'))) as Record<string, unknown>;
    expect(typeof module.makeHandler).toBe('function');
    expect(typeof module.handler).toBe('function');
  });

  it('every task the state machines invoke is in the registry, and every registered task is invoked', () => {
    const { create, delete: remove } = synthesizedStateMachines() as Record<
      string,
      { States: Record<string, { Type: string; Resource?: string; Parameters?: { FunctionName?: string } }> }
    >;
    const invoked = new Set<string>();
    for (const machine of [create!, remove!]) {
      for (const [name, state] of Object.entries(machine.States)) {
        // The role-lock states write DynamoDB themselves: no function in between.
        if (state.Type !== 'Task' || state.Resource !== 'arn:aws:states:::lambda:invoke') continue;
        const functionName = String(state.Parameters?.FunctionName ?? '').replace(/_/g, '-');
        const task = TASK_FUNCTION_NAMES.find((candidate) => functionName.includes(candidate));
        expect(`${name}: ${task ?? `unregistered function ${functionName}`}`).toBe(`${name}: ${task}`);
        invoked.add(task!);
      }
    }
    expect([...invoked].sort()).toEqual([...TASK_FUNCTION_NAMES].sort());
  });

  it('every task that calls Graph is one whose settings loader reads Graph settings (its handler imports live-graph)', async () => {
    const { readFileSync } = await import('node:fs');
    for (const task of TASK_FUNCTION_NAMES) {
      const handler = readFileSync(join(ROOT, 'functions', task, 'handler.ts'), 'utf8');
      expect(`${task}: ${handler.includes('live-graph')}`).toBe(`${task}: ${TASKS[task].callsGraph}`);
    }
  });
});

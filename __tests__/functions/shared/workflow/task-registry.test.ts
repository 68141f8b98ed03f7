import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TASKS, TASK_FUNCTION_NAMES } from '../../../../functions/shared/workflow';
import { synthesizedStateMachines } from '../../../support/synthesized';

/** The registry (TASKS) is the one list of task functions: folders and state machines agree with it. */
const ROOT = join(__dirname, '..', '..', '..', '..');

describe('the task registry', () => {
  it.each(TASK_FUNCTION_NAMES)('%s has its folder: a handler exporting makeHandler and handler, and a core', async (task) => {
    expect(existsSync(join(ROOT, 'functions', task, 'core.ts'))).toBe(true);
    const module = (await import(join(ROOT, 'functions', task, 'handler'))) as Record<string, unknown>;
    expect(typeof module.makeHandler).toBe('function');
    expect(typeof module.handler).toBe('function');
  });

  it.each([...TASK_FUNCTION_NAMES, 'router'])('%s: its core exports a function named after what it does, not `core`', async (task) => {
    const core = (await import(join(ROOT, 'functions', task, 'core'))) as Record<string, unknown>;
    expect(Object.keys(core)).not.toContain('core');
    const handler = readFileSync(join(ROOT, 'functions', task, 'handler.ts'), 'utf8');
    const verb = /import \{ FUNCTION_NAME, (\w+),/.exec(handler)?.[1];
    expect(verb).toMatch(/^[a-z]+[A-Z]\w+$/);
    expect(typeof core[verb as string]).toBe('function');
  });

  it('every task the state machines invoke is in the registry, and every registered task is invoked', () => {
    type States = Record<
      string,
      { Type: string; Resource?: string; Parameters?: { FunctionName?: string }; ItemProcessor?: { States: States } }
    >;
    const machines = synthesizedStateMachines() as Record<string, { States: States }>;
    const invoked = new Set<string>();
    // Every Lambda task, those inside Map states' item processors included.
    const visit = (states: States) => {
      for (const [name, state] of Object.entries(states)) {
        if (state.ItemProcessor) visit(state.ItemProcessor.States);
        if (state.Type !== 'Task' || state.Resource !== 'arn:aws:states:::lambda:invoke') continue;
        // The function's Terraform reference names it (aws_lambda_function.<construct path with the task name>).
        const functionName = String(state.Parameters?.FunctionName ?? '').replace(/_/g, '-');
        const task = [...TASK_FUNCTION_NAMES].sort((a, b) => b.length - a.length).find((candidate) => functionName.includes(candidate));
        expect(`${name}: ${task ?? `unregistered function ${functionName}`}`).toBe(`${name}: ${task}`);
        invoked.add(task!);
      }
    };
    for (const machine of Object.values(machines)) visit(machine.States);
    expect([...invoked].sort()).toEqual([...TASK_FUNCTION_NAMES].sort());
  });

  it('every task that calls Graph is one whose settings loader reads Graph settings (its handler uses the live Graph wiring)', async () => {
    // The live Graph wiring is what entra/live-graph.ts exports (liveDirectory, liveInventory).
    const liveGraph = Object.keys(await import(join(ROOT, 'functions', 'shared', 'entra', 'live-graph')));
    expect(liveGraph.length).toBeGreaterThan(0);
    for (const task of TASK_FUNCTION_NAMES) {
      const handler = readFileSync(join(ROOT, 'functions', task, 'handler.ts'), 'utf8');
      const usesLiveGraph = liveGraph.some((name) => new RegExp(`\\b${name}\\b`).test(handler));
      expect(`${task}: ${usesLiveGraph}`).toBe(`${task}: ${TASKS[task].callsGraph}`);
    }
  });
});

/**
 * A state machine definition with its role-lock states cut out: what the workflows were before
 * executions of one role were serialized. Only the tests use it, to show that the hazards the
 * lock closes are real (each one breaks an invariant without it).
 */
export function withoutRoleLock<D extends { StartAt: string; States: Record<string, any> }>(definition: D): D {
  const original = definition.States;
  const states = structuredClone(original) as Record<string, any>;
  const isLock = (name: string) => String(original[name]?.Resource ?? '').startsWith('arn:aws:states:::dynamodb:');
  const skip = (name: string): string => (isLock(name) ? skip(original[name].Next) : name);
  for (const name of Object.keys(states).filter(isLock)) delete states[name];
  delete states.RoleLockNotAcquired;
  for (const state of Object.values(states)) {
    if (state.Next) state.Next = skip(state.Next);
    if (state.Default) state.Default = skip(state.Default);
    for (const rule of [...(state.Choices ?? []), ...(state.Catch ?? [])]) rule.Next = skip(rule.Next);
  }
  return { ...definition, StartAt: skip(definition.StartAt), States: states };
}

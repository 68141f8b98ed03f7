import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FEDERATED_CREDENTIAL_TAG_PREFIX, IDENTITY_MODES, ROLE_TAGS } from '../../functions/shared/workflow';

/**
 * The app-team guide (docs/app-teams.md) names every tag the automation writes or reads and
 * every identity mode, as `contracts.ts` spells them; the operator guide's names table too.
 */

const read = (name: string) => readFileSync(join(resolve(__dirname, '../..'), 'docs', name), 'utf8');

describe('role tags in the guides', () => {
  const appTeams = read('app-teams.md');
  const operator = read('operator.md');

  it.each(Object.values(ROLE_TAGS))('documents %s for app teams and operators', (tag) => {
    expect(appTeams).toContain(`\`${tag}\``);
    expect(operator).toContain(`\`${tag}`);
  });

  it('documents the federated credential tag form', () => {
    expect(appTeams).toContain(`\`${FEDERATED_CREDENTIAL_TAG_PREFIX}<name>\``);
    expect(operator).toContain(`\`${FEDERATED_CREDENTIAL_TAG_PREFIX}<name>\``);
  });

  it.each(IDENTITY_MODES)('explains the identity mode %s', (mode) => {
    expect(appTeams).toContain(`\`${mode}\``);
  });
});

import { readFileSync } from 'node:fs';
import { ADDRESSES_FILE, addressesOf, describeAddressChange } from '../support/resource-addresses';
import { synthesize } from '../support/synthesized';

describe('the synthesized Terraform resource addresses', () => {
  it('are the checked-in ones: a construct id that changes replaces a deployed resource', () => {
    const checkedIn = (JSON.parse(readFileSync(ADDRESSES_FILE, 'utf8')) as { addresses: string[] }).addresses;

    const change = describeAddressChange(checkedIn, addressesOf(synthesize()));

    if (change) throw new Error(change);
    expect(checkedIn.length).toBeGreaterThan(0);
  });
});

describe('describeAddressChange', () => {
  it('names each removed and added address, points to moved blocks and says how to regenerate the list', () => {
    const message = describeAddressChange(
      ['aws_iam_role.router_role_1A2B3C4D', 'aws_sqs_queue.pipeline_queue_5E6F7A8B'],
      ['aws_iam_role.event-router_role_9C0D1E2F', 'aws_sqs_queue.pipeline_queue_5E6F7A8B', 'data.aws_iam_policy_document.new_1111AAAA'],
    );

    expect(message).toContain('  removed: aws_iam_role.router_role_1A2B3C4D');
    expect(message).toContain('  added:   aws_iam_role.event-router_role_9C0D1E2F');
    expect(message).toContain('  added:   data.aws_iam_policy_document.new_1111AAAA');
    expect(message).not.toContain('pipeline_queue');
    expect(message).toContain('https://developer.hashicorp.com/terraform/language/modules/develop/refactoring');
    expect(message).toContain('moveFromId("<old address>")');
    expect(message).toContain('npm run addresses:update');
  });

  it('says nothing when the sets are equal, whatever the order', () => {
    expect(describeAddressChange(['b.x', 'a.y'], ['a.y', 'b.x'])).toBeUndefined();
  });
});

describe('addressesOf', () => {
  it('lists resources as type.name and data sources as data.type.name', () => {
    const json = {
      terraform: {},
      provider: {},
      resource: { aws_sqs_queue: { q_1: {} }, aws_iam_role: { r_2: {}, r_1: {} } },
      data: { aws_iam_policy_document: { d_1: {} } },
    };

    expect(addressesOf(json)).toEqual(['aws_iam_role.r_1', 'aws_iam_role.r_2', 'aws_sqs_queue.q_1', 'data.aws_iam_policy_document.d_1']);
  });
});

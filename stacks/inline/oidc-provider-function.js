'use strict';
// The member baseline's custom resource for the tenant's OIDC provider, inlined into the
// template (Code.ZipFile: CloudFormation writes it as index.js, a CommonJS module). It creates
// the provider, or adopts the one the account already has without touching its client IDs,
// and never deletes it: the account's federated roles trust it, whoever created it.
// The nodejs22.x runtime ships the AWS SDK v3 (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html).
// No template literals here: Terraform would read their dollar-brace as its own syntax.
const https = require('node:https');
const iamSdk = require('@aws-sdk/client-iam');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// IAM answers a second provider for the same URL with EntityAlreadyExists
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html).
const ALREADY_EXISTS = ['EntityAlreadyExists', 'EntityAlreadyExistsException'];
// A new execution role's policy may take seconds to apply (IAM is eventually consistent:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
const ACCESS_DENIED = ['AccessDenied', 'AccessDeniedException'];
const DENIED_RETRIES_MS = [5000, 10000, 20000];

/** Creates the provider (no client IDs, no thumbprint: IAM trusts Entra's CA) or adopts the existing one. */
async function ensureProvider(iam, url, arn, wait) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const created = await iam.send(new iamSdk.CreateOpenIDConnectProviderCommand({ Url: url }));
      return { arn: created.OpenIDConnectProviderArn, adopted: 'false' };
    } catch (error) {
      if (ALREADY_EXISTS.includes(error.name)) {
        // Read it by the ARN IAM derives from the URL: proves it is that provider; its client IDs stay as they are.
        await iam.send(new iamSdk.GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
        return { arn, adopted: 'true' };
      }
      if (!ACCESS_DENIED.includes(error.name) || attempt >= DENIED_RETRIES_MS.length) throw error;
      await wait(DENIED_RETRIES_MS[attempt]);
    }
  }
}

/** What to answer CloudFormation; never throws. */
async function outcomeOf(event, iam, wait) {
  const kept = event.PhysicalResourceId || event.LogicalResourceId;
  if (event.RequestType === 'Delete') {
    return { status: 'SUCCESS', reason: 'The provider is kept: the baseline never deletes it.', physicalResourceId: kept, data: {} };
  }
  const properties = event.ResourceProperties || {};
  try {
    if (typeof properties.Url !== 'string' || typeof properties.Arn !== 'string') {
      throw new Error('ResourceProperties.Url and .Arn must be strings');
    }
    const provider = await ensureProvider(iam, properties.Url, properties.Arn, wait);
    const reason = provider.adopted === 'true' ? 'Adopted the existing provider.' : 'Created the provider.';
    return { status: 'SUCCESS', reason, physicalResourceId: provider.arn, data: { Arn: provider.arn, Adopted: provider.adopted } };
  } catch (error) {
    const reason = 'Cannot create or adopt ' + properties.Url + ': ' + error.name + ': ' + error.message;
    return { status: 'FAILED', reason: reason.slice(0, 1000), physicalResourceId: kept, data: {} };
  }
}

/**
 * PUT to the presigned ResponseURL, as cfn-response does: an empty content-type, since the
 * URL is signed without one (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
 */
function respond(event, outcome, request) {
  const body = JSON.stringify({
    Status: outcome.status,
    Reason: outcome.reason,
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: outcome.data,
  });
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': '', 'content-length': Buffer.byteLength(body) };
    const req = request(event.ResponseURL, { method: 'PUT', headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error('ResponseURL answered ' + res.statusCode))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

exports.outcomeOf = outcomeOf;
exports.respond = respond;
exports.handler = async (event) => {
  const outcome = await outcomeOf(event, new iamSdk.IAMClient({}), sleep);
  console.log(JSON.stringify({ requestType: event.RequestType, status: outcome.status, reason: outcome.reason }));
  await respond(event, outcome, https.request);
};

// Imports the AWS SDK v3 without bundling it, as sam init's templates do.
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const sts = new STSClient({});

export const lambdaHandler = async (event, context) => {
  const id = await sts.send(new GetCallerIdentityCommand({}));
  const { NAME } = require('shared'); // from the layer
  return { arn: id.Arn, layer: NAME, version: context.functionVersion };
};

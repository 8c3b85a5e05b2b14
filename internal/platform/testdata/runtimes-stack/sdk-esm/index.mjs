// Imports the AWS SDK v3 without bundling it, as Lambda's Node.js runtimes allow.
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';

const sts = new STSClient({});

export const handler = async () => {
  const id = await sts.send(new GetCallerIdentityCommand({}));
  return { arn: id.Arn, module: 'esm' };
};

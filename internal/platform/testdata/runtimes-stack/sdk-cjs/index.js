// require()s the AWS SDK v3 without bundling it.
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');

const sts = new STSClient({});

exports.handler = async () => {
  const id = await sts.send(new GetCallerIdentityCommand({}));
  return { arn: id.Arn, module: 'cjs' };
};

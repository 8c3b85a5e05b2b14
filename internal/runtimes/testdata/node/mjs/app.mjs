// ES module (.mjs): dumps the context object.
export const handler = async (event, context) => ({
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  invokedFunctionArn: context.invokedFunctionArn,
  memoryLimitInMB: context.memoryLimitInMB,
  awsRequestId: context.awsRequestId,
  logGroupName: context.logGroupName,
  logStreamName: context.logStreamName,
  identity: context.identity,
  clientContext: context.clientContext,
  callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
  remainingPositive: context.getRemainingTimeInMillis() > 0 && context.getRemainingTimeInMillis() <= event.maxRemainingMs,
  traceId: process.env._X_AMZN_TRACE_ID,
  esm: typeof require === 'undefined',
});

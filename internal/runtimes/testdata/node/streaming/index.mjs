// Response streaming handlers.
export const http = awslambda.streamifyResponse(async (event, responseStream, context) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 201,
    headers: { 'x-request-id': context.awsRequestId, 'content-type': 'text/plain' },
  });
  stream.write('hello ');
  await new Promise((resolve) => setTimeout(resolve, 5));
  stream.write(Buffer.from('streaming '));
  stream.end('world');
});

export const plain = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType('text/csv');
  responseStream.write('a,b\n');
  responseStream.write({ json: true });
  responseStream.end({ last: 1 });
});

export const midStreamError = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('partial ');
  await new Promise((resolve) => setTimeout(resolve, 5));
  throw new Error('mid-stream failure');
});

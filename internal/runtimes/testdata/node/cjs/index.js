// CommonJS, async handler.
exports.handler = async (event, context) => {
  console.log('cjs got', JSON.stringify(event));
  return { echo: event, module: typeof module };
};
exports.nested = { deeper: { handler: async () => 'nested export' } };
exports.notAFunction = 42;

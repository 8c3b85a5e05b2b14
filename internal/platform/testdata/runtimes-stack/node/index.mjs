export const handler = async (event) => ({ runtime: event.runtime, node: process.versions.node.split('.')[0] });

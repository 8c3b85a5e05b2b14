const { greeting } = require('shared');
const { execFileSync } = require('node:child_process');

exports.handler = async () => ({ greeting, tool: execFileSync('layer-tool').toString().trim() });

const { hello } = require('greet');

exports.handler = async (event) => hello(event.name || 'nobody');

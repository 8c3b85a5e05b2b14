exports.handler = async () => require('greet').hello();

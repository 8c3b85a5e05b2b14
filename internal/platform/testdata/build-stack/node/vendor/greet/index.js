exports.hello = (n) => 'hello ' + n + ' from npm';

exports.hello = () => 'hello';

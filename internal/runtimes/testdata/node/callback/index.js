// Callback-style handlers.
// waits: calls back at once, but the runtime must wait for the event loop to
// empty (the timer) before it serializes and posts the result.
exports.waits = (event, context, callback) => {
  const result = { waited: context.callbackWaitsForEmptyEventLoop, timerRan: false };
  setTimeout(() => {
    result.timerRan = true;
    console.log('timer fired');
  }, 20);
  callback(null, result);
};

// noWait: a timer that never ends must not hold the response back.
exports.noWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => {}, 3600 * 1000);
  callback(null, { waited: context.callbackWaitsForEmptyEventLoop });
};

exports.fails = (event, context, callback) => {
  callback(new RangeError('callback failure'));
};

// sync: returns nothing and never calls back: Lambda answers null.
exports.sync = () => {};

exports.succeed = (event, context) => {
  context.succeed({ legacy: true });
};

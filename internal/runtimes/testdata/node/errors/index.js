class CustomError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CustomError';
  }
}

exports.thrown = () => {
  throw new TypeError('thrown synchronously');
};

exports.rejected = async () => {
  throw new CustomError('rejected with a custom error');
};

exports.rejectedString = () => Promise.reject('just a string');

exports.neverSettles = async () => new Promise(() => {});

// unhandled: a rejection nobody handles ends the instance, as on Lambda.
exports.unhandled = async () => {
  Promise.reject(new Error('floating rejection'));
  await new Promise((resolve) => setTimeout(resolve, 60000));
  return 'not reached';
};

exports.badName = async () => {
  const err = new Error('odd name');
  err.name = 'Bad\nName';
  throw err;
};

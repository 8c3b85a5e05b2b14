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

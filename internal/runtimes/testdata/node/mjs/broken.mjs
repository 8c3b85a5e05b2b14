export const handler = async () => {
  return { oops: };
};

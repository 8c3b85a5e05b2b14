// Imports a package that is not installed.
import missing from 'nubo-no-such-package';

export const handler = async () => missing;

// ES module because ../package.json says "type": "module".
import { greet } from './greet.js';

export const handler = async (event) => ({ greeting: greet(event.name), esm: typeof require === 'undefined' });

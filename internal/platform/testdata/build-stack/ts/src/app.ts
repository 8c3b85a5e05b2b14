import { hello } from './lib';

export const handler = async (event: { name?: string }): Promise<string> => hello(event.name ?? 'nobody');

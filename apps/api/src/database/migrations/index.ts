import { InitialSchema1764000000000 } from './1764000000000-initial-schema';

/** Every migration, oldest first. Add new classes at the end. */
export const MIGRATIONS = [InitialSchema1764000000000];

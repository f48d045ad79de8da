/** The backend selection error lives with every other error class in `../errors.ts`; re-exported here for the backend modules. */
export { InvalidBackendError } from '../errors.js';

// Types for `import ... from 'cadenya'`: the same declarations, with the client as default export.
export * from './index.js';
import { Cadenya } from './index.js';
export default Cadenya;

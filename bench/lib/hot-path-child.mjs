// One round of part (a) for one logger, in a fresh process: `node --expose-gc hot-path-child.mjs <name>`.
// Prints { ns, withDeliveryNs, emptyLoopNs, lines } as JSON on stdout.
import { measureContender } from './hot-path.mjs';

const result = await measureContender(process.argv[2]);
process.stdout.write(JSON.stringify(result));

// Exactly once on the suite's Redis (the tests: exactly-once-suite.ts).
import { exactlyOnceSuite } from './exactly-once-suite.js';

exactlyOnceSuite('three replicas on one Redis');

// calls.start for an account that already has 0 calls in its current usage period.
import { callsStartUsageTarget } from "../lib/calls-start-usage";

export default callsStartUsageTarget(0);

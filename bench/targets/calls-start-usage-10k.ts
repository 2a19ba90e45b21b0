// calls.start for an account that already has 10,000 calls in its current usage period.
import { callsStartUsageTarget } from "../lib/calls-start-usage";

export default callsStartUsageTarget(10_000);

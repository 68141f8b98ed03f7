import { reviewContext } from '../../plan-review/context';
import { parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';

/** The review context of the embedded example configuration (the one `synthesize()` uses). */
export const CONTEXT = reviewContext(parseConfig(EXAMPLE_CONFIG));

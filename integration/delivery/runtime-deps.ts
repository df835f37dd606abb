/** The processor's dependencies inside the running Worker (routes): settings and D1 from integration/runtime.ts. */
import { runtimeEnv } from '../runtime';
import { buildDeliveryDeps } from './deps';
import type { DeliveryDeps } from './processor';

export function getDeliveryDeps(): DeliveryDeps {
  return buildDeliveryDeps(runtimeEnv());
}

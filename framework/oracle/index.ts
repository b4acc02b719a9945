// The oracle: the expected traffic matrix of a scenario, from Kubernetes semantics alone.
import type { Scenario } from "../scenario/model.js";
import { mapped } from "./batches.js";
import type { ExpectedCell } from "./cells.js";
import { Expectations } from "./expectations.js";
import { Oracle, planCells } from "./matrix.js";

export * from "./cells.js";
export { Expectations } from "./expectations.js";
export {
  northSouth, Oracle, planCells, probedServices, sourceClients, sourcePods, throughHostPort, throughService,
  type CellPlan, type DirectCellPlan, type HostPortCellPlan, type NorthSouthCellPlan, type ServiceCellPlan,
} from "./matrix.js";

/** Every cell with its expectation (oracle merged with the scenario's rules), in matrix order. */
export function expectedCells(scenario: Scenario, expectations = new Expectations(scenario)): IterableIterator<ExpectedCell> {
  const oracle = new Oracle(scenario);
  return mapped(planCells(scenario), (plan) => expectations.apply(oracle.judge(plan)));
}

// Every example scenario, observed with real packets on the local provider, must equal the
// oracle (and the examples' explicit expectations). This file is also the mocha adapter's own
// three-line usage: one suite per scenario, one test per expectation group.
import { describeScenarios } from "../mocha/index.js";

describe("@docker examples on the local provider", () => describeScenarios("specs/examples"));

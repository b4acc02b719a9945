// The error a user gets for a wrong command line (exit 2, followed by the command's help).
export { UsageError } from "../runner/validate-paths.js";

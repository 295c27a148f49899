#!/usr/bin/env node
// `npx mde-mock --port 0`: the mock of the Investigations API on a port. See ../cli.js.
import { main } from '../cli.js';

main(process.argv.slice(2), process.env);

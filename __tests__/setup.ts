// aws-local-stepfunctions needs Promise.withResolvers (Node 22); this machine runs Node 20.
import '../simulation/engine/promise-polyfill';

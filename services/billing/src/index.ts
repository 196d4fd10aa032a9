export { billingProblems } from './errors.ts';
export { billingService } from './service.ts';

export * from './client.ts';
export { facilityProblems } from './errors.ts';
export { facilityService } from './service.ts';

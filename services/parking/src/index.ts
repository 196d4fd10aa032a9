export { parkingProblems } from './errors.ts';
export { parkingService } from './service.ts';

export { chargingProblems } from './errors.ts';
export { centralSystems, chargingService } from './service.ts';

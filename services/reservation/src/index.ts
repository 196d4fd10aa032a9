export { reservationProblems } from './errors.ts';
export { reservationService } from './service.ts';

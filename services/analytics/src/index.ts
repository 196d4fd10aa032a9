export { analyticsProblems } from './errors.ts';
export { analyticsService } from './service.ts';

export * from './clock.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './ids.ts';
export * from './money.ts';
export * from './plates.ts';
export * from './principal.ts';
export * from './time.ts';

export * from './errors';
export * from './limits';
export * from './enums';
export * from './languages';
export * from './text';

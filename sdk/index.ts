// Placeholder until the SDK lands.
export * from './protocol';

// Test helpers for packages that consume the configuration. Filled by the config package.
export {};

// The shared test config, re-exported where the training tests have always imported it.
export { testConfig } from '../../shared/testing/trainConfig.ts';

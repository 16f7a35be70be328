// Training progress records (compute worker view): the JSON-able types live in shared/ so the UI can chart them.
export type {
  EpochRecord,
  RunSummary,
  StepRecord,
  TrainRecord,
  ValidationRecord,
} from '../shared/training.ts';

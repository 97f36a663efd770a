// The editor's in-browser execution runtime (see packages/ui/README.md).
export type { Runner, RunnerError, RunnerResult, RunnerRunOptions, RunFile } from './Runner';
export { createWorkerRunner, type WorkerRunner, type WorkerRunnerOptions } from './createWorkerRunner';
export { WorkerRunnerError, type BackendInfo, type UploadPayload, type WorkerProvider } from './protocol';

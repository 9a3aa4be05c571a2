package io.gpupool.agent.workload;

/** Why the agent stopped a running workload. */
enum StopReason {
  /** The controller cancelled the task. */
  CANCELLED,
  /** The task was preempted: its notice period ended, or it checkpointed after the notice. */
  PREEMPTED,
  /** The task ran longer than its max_runtime. */
  MAX_RUNTIME,
  /** The agent is shutting down. */
  SHUTDOWN,
  /** The task used more GPU memory than its share (Resources.gpu_memory_bytes). */
  GPU_MEMORY_EXCEEDED
}

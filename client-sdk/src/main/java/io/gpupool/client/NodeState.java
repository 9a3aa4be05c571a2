package io.gpupool.client;

/** Liveness of a node as the controller sees it. */
public enum NodeState {
  /** Connected and heartbeating; can receive work. */
  READY,
  /** Registered but not connected now; gets no new work. Its tasks are presumed running. */
  DISCONNECTED,
  /** Silent past the lost deadline: its tasks were requeued elsewhere. */
  LOST,
  /** A state this client version does not know: the controller is newer. */
  UNKNOWN
}

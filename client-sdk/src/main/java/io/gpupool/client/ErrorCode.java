package io.gpupool.client;

/**
 * Why a call failed; carried by {@link GpuPoolException#code()}. Mirrors the gRPC status codes the
 * gpupool controller uses, so the same code means the same thing on the wire and here.
 */
public enum ErrorCode {
  /** The request is malformed; the message names the offending field. Do not retry unchanged. */
  INVALID_ARGUMENT,
  /** The task (or other object) does not exist. */
  NOT_FOUND,
  /** The object is not in a state that allows the operation, e.g. cancelling an ended task. */
  FAILED_PRECONDITION,
  /** The caller did not present valid credentials. */
  UNAUTHENTICATED,
  /** The caller is not allowed to do this. */
  PERMISSION_DENIED,
  /** A quota or limit was hit; retry later or ask for less. */
  RESOURCE_EXHAUSTED,
  /**
   * The controller could not be reached, even after the client's retries; usually transient
   * (controller restarting, network).
   */
  UNAVAILABLE,
  /** The call, or {@link TaskHandle#await}, did not finish in time. */
  DEADLINE_EXCEEDED,
  /** The call was cancelled on the client side: closed client, interrupted thread. */
  CANCELLED,
  /** The controller does not implement the call; it is older than this client. */
  UNIMPLEMENTED,
  /** A bug or broken invariant in the controller or in this client. */
  INTERNAL,
  /** Any other failure; the message says more. */
  UNKNOWN
}

package io.gpupool.controller.http;

/**
 * What {@code /healthz} says: 200 {@code ok} while the controller serves gRPC, 503 otherwise, with
 * a body saying why (a standby on a shared PostgreSQL store answers {@code standby}).
 */
public enum ServingState {
  /** Loading the state or binding the gRPC port. */
  STARTING(503, "starting"),
  /** Waiting for the leader lock of a shared PostgreSQL store; gRPC is not listening. */
  STANDBY(503, "standby"),
  /** Serving gRPC. */
  SERVING(200, "ok"),
  /** Stopped: closed, or lost the leadership of its store. */
  STOPPED(503, "unavailable");

  private final int httpStatus;
  private final String body;

  ServingState(int httpStatus, String body) {
    this.httpStatus = httpStatus;
    this.body = body;
  }

  /** The HTTP status of {@code /healthz}. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The one-word body of {@code /healthz}. */
  public String body() {
    return body;
  }
}

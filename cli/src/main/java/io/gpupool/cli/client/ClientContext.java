package io.gpupool.cli.client;

import java.time.Clock;
import java.util.Objects;

/**
 * What the client subcommands take from their surroundings: how to reach the controller and what
 * time it is (for ages, and the zone local times are shown in). Immutable and thread-safe.
 *
 * @param channels opens channels to the controller
 * @param clock now and the user's zone
 */
public record ClientContext(ControllerChannels channels, Clock clock) {
  /** Rejects nulls. */
  public ClientContext {
    Objects.requireNonNull(channels, "channels");
    Objects.requireNonNull(clock, "clock");
  }

  /** Netty channels and the system clock in the machine's zone. */
  public static ClientContext system() {
    return new ClientContext(ControllerChannels.netty(), Clock.systemDefaultZone());
  }

  /**
   * Implemented by the top-level command: client subcommands find their context on the root of the
   * command tree they run in.
   */
  @FunctionalInterface
  public interface Provider {
    /** The context client subcommands use. */
    ClientContext clientContext();
  }
}

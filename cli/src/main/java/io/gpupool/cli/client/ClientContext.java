package io.gpupool.cli.client;

import java.time.Clock;
import java.util.Objects;

/**
 * What the client subcommands take from their surroundings: how to reach the controller, what time
 * it is (for ages, and the zone local times are shown in), and the tokens saved on this machine.
 * Immutable and thread-safe.
 *
 * @param channels opens channels to the controller
 * @param clock now and the user's zone
 * @param savedTokens tokens saved per controller address, used when no token is given
 * @param terminal whether output goes to a terminal, for live displays
 */
public record ClientContext(
    ControllerChannels channels, Clock clock, SavedTokens savedTokens, Terminal terminal) {
  /** Rejects nulls. */
  public ClientContext {
    Objects.requireNonNull(channels, "channels");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(savedTokens, "savedTokens");
    Objects.requireNonNull(terminal, "terminal");
  }

  /** A context with the given saved tokens, writing to no terminal. */
  public ClientContext(ControllerChannels channels, Clock clock, SavedTokens savedTokens) {
    this(channels, clock, savedTokens, Terminal.none());
  }

  /** A context without saved tokens, writing to no terminal. */
  public ClientContext(ControllerChannels channels, Clock clock) {
    this(channels, clock, SavedTokens.none());
  }

  /** This context, with output going to {@code terminal} instead. */
  public ClientContext withTerminal(Terminal terminal) {
    return new ClientContext(channels, clock, savedTokens, terminal);
  }

  /**
   * Netty channels, the system clock in the machine's zone, the user's saved tokens, this process's
   * terminal.
   */
  public static ClientContext system() {
    return new ClientContext(
        ControllerChannels.netty(),
        Clock.systemDefaultZone(),
        SavedTokens.forUser(System.getenv(), System.getProperty("user.home")),
        Terminal.detect());
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

package io.gpupool.controller.bench;

/**
 * One end-to-end submit benchmark: how many durable submits, over how many gRPC clients, with how
 * many outstanding per client, against which store.
 *
 * @param tasks submits that are timed
 * @param warmupTasks submits sent first, through the same clients, and not timed (0 for none)
 * @param clients gRPC channels, one submitting thread each
 * @param inFlight submits one client keeps outstanding at most
 * @param storeUrl JDBC URL of the store; null for embedded H2 in a temporary data dir
 * @param storeUser database user; null when the URL carries it or for H2
 * @param storePassword database password; null when the URL carries it or for H2
 * @param authentication whether the controller checks a bearer token on every call, as a real one
 *     does (the default); off measures what that costs
 */
public record E2eBenchConfig(
    int tasks,
    int warmupTasks,
    int clients,
    int inFlight,
    String storeUrl,
    String storeUser,
    String storePassword,
    boolean authentication) {

  /**
   * @throws IllegalArgumentException naming the parameter when a count is out of range
   */
  public E2eBenchConfig {
    requireAtLeast("tasks", tasks, 1);
    requireAtLeast("warmupTasks", warmupTasks, 0);
    requireAtLeast("clients", clients, 1);
    requireAtLeast("inFlight", inFlight, 1);
  }

  /** A run with authentication on. */
  public E2eBenchConfig(
      int tasks,
      int warmupTasks,
      int clients,
      int inFlight,
      String storeUrl,
      String storeUser,
      String storePassword) {
    this(tasks, warmupTasks, clients, inFlight, storeUrl, storeUser, storePassword, true);
  }

  /** Embedded H2, a warm-up a tenth the size of the run, authentication on. */
  public static E2eBenchConfig h2(int tasks, int clients, int inFlight) {
    return new E2eBenchConfig(tasks, tasks / 10, clients, inFlight, null, null, null);
  }

  /** This run against the database at {@code url}. */
  public E2eBenchConfig withStore(String url, String user, String password) {
    return new E2eBenchConfig(
        tasks, warmupTasks, clients, inFlight, url, user, password, authentication);
  }

  /** This run with authentication on or off. */
  public E2eBenchConfig withAuthentication(boolean on) {
    return new E2eBenchConfig(
        tasks, warmupTasks, clients, inFlight, storeUrl, storeUser, storePassword, on);
  }

  /** The store's kind as reports name it: {@code h2}, {@code postgresql}, or the URL's scheme. */
  public String storeKind() {
    if (storeUrl == null) {
      return "h2";
    }
    String[] parts = storeUrl.split(":", 3);
    return parts.length >= 2 && parts[0].equals("jdbc") ? parts[1] : "unknown";
  }

  private static void requireAtLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
    }
  }
}

package io.gpupool.wire;

import io.grpc.NameResolverRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The addresses of a cluster's controllers, as users give them ({@code a:7070,b:7070}), turned into
 * a gRPC channel target.
 *
 * <p>A list becomes one channel that connects to whichever controller accepts connections, trying
 * them in the order given (gRPC's pick_first over all the addresses). Only the leading controller
 * listens (a standby binds its port when it takes over), so a channel given every controller ends
 * up on the leader and moves to the next one when it dies. A single address is passed through
 * untouched, so any gRPC target (e.g. {@code dns:///host:7070}) still works on its own.
 *
 * <p>Thread-safe; registering the resolver with gRPC happens once, on first use.
 */
public final class ControllerAddresses {
  static final String SCHEME = "gpupool-controllers";
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^:\\s\\[\\],/]+):(\\d{1,5})");

  static {
    NameResolverRegistry.getDefaultRegistry().register(new ControllerListResolverProvider());
  }

  private ControllerAddresses() {}

  /**
   * The channel target for {@code addresses}: itself when it names one controller, a target of this
   * class's resolver when it is a comma-separated list.
   *
   * @throws IllegalArgumentException when a list entry is not {@code HOST:PORT} (the message names
   *     the entry)
   */
  public static String grpcTarget(String addresses) {
    if (!addresses.contains(",")) {
      return addresses;
    }
    List<HostPort> parsed = parse(addresses);
    StringBuilder path = new StringBuilder();
    for (HostPort address : parsed) {
      if (path.length() > 0) {
        path.append(',');
      }
      path.append(URLEncoder.encode(address.text(), StandardCharsets.UTF_8));
    }
    return SCHEME + ":///" + path;
  }

  /**
   * The entries of a comma-separated list of {@code HOST:PORT} addresses, in order.
   *
   * @throws IllegalArgumentException naming the first entry that is not {@code HOST:PORT}
   */
  public static List<HostPort> parse(String addresses) {
    List<HostPort> parsed = new ArrayList<>();
    for (String entry : addresses.split(",", -1)) {
      String address = entry.strip();
      Matcher matcher = HOST_PORT.matcher(address);
      int port = matcher.matches() ? Integer.parseInt(matcher.group(2)) : -1;
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "controller address '"
                + address
                + "' in '"
                + addresses
                + "' is not HOST:PORT (give controllers as HOST:PORT,HOST:PORT)");
      }
      String host = matcher.group(1);
      if (host.startsWith("[")) {
        host = host.substring(1, host.length() - 1);
      }
      parsed.add(new HostPort(host, port));
    }
    return parsed;
  }

  /**
   * One controller's address.
   *
   * @param host a host name or an IP literal (IPv6 without brackets)
   * @param port the gRPC port
   */
  public record HostPort(String host, int port) {
    /** The address as users write it, with IPv6 literals in brackets. */
    public String text() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }
}

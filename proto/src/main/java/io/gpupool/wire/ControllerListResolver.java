package io.gpupool.wire;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Resolves a fixed list of controllers to one address group per controller, in the order given, so
 * that pick_first tries them in that order. Host names are looked up again on every refresh (gRPC
 * refreshes when the connection fails), on the channel's offload executor because lookups block.
 */
final class ControllerListResolver extends NameResolver {
  private final String authority;
  private final List<ControllerAddresses.HostPort> controllers;
  private final Executor offload;
  private final SynchronizationContext syncContext;
  private Listener2 listener; // only touched in syncContext
  private boolean resolving; // only touched in syncContext
  private boolean shutdown; // only touched in syncContext

  ControllerListResolver(
      List<ControllerAddresses.HostPort> controllers,
      Executor offload,
      SynchronizationContext syncContext) {
    this.authority = controllers.get(0).text();
    this.controllers = List.copyOf(controllers);
    this.offload = offload != null ? offload : Runnable::run;
    this.syncContext = syncContext;
  }

  @Override
  public String getServiceAuthority() {
    return authority;
  }

  @Override
  public void start(Listener2 listener) {
    this.listener = listener;
    resolve();
  }

  @Override
  public void refresh() {
    resolve();
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  private void resolve() {
    if (resolving || shutdown) {
      return;
    }
    resolving = true;
    offload.execute(
        () -> {
          List<EquivalentAddressGroup> groups = new ArrayList<>();
          List<String> unknown = new ArrayList<>();
          for (ControllerAddresses.HostPort controller : controllers) {
            try {
              List<SocketAddress> addresses = new ArrayList<>();
              for (InetAddress address : InetAddress.getAllByName(controller.host())) {
                addresses.add(new InetSocketAddress(address, controller.port()));
              }
              groups.add(new EquivalentAddressGroup(addresses));
            } catch (UnknownHostException e) {
              unknown.add(controller.text());
            }
          }
          syncContext.execute(() -> deliver(groups, unknown));
        });
  }

  private void deliver(List<EquivalentAddressGroup> groups, List<String> unknown) {
    resolving = false;
    if (shutdown) {
      return;
    }
    if (groups.isEmpty()) {
      listener.onError(
          Status.UNAVAILABLE.withDescription(
              "cannot resolve any controller address: " + String.join(", ", unknown)));
      return;
    }
    listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
  }
}

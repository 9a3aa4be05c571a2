package io.gpupool.wire;

import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.List;

/** Makes {@link ControllerListResolver}s for {@code gpupool-controllers:///a:7070,b:7070}. */
final class ControllerListResolverProvider extends NameResolverProvider {

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!ControllerAddresses.SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    String path = targetUri.getPath();
    String list = path.startsWith("/") ? path.substring(1) : path;
    return new ControllerListResolver(
        ControllerAddresses.parse(list),
        args.getOffloadExecutor(),
        args.getSynchronizationContext());
  }

  @Override
  public String getDefaultScheme() {
    return ControllerAddresses.SCHEME;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }
}

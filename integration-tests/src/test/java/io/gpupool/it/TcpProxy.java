package io.gpupool.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy a test can cut: {@link #cut()} drops every open connection and refuses new
 * ones (they are accepted and closed at once) until {@link #restore()}. It stands for a network
 * partition between an agent and the controller.
 *
 * <p>Thread-safe. Each connection is served by two copying threads.
 */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final AtomicBoolean cut = new AtomicBoolean();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads = Executors.newCachedThreadPool(TcpProxy::daemon);

  private TcpProxy(ServerSocket server, int targetPort) {
    this.server = server;
    this.targetPort = targetPort;
  }

  /** Starts a proxy on a free loopback port that forwards to {@code targetPort} on loopback. */
  static TcpProxy start(int targetPort) throws IOException {
    TcpProxy proxy =
        new TcpProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), targetPort);
    proxy.threads.execute(proxy::acceptLoop);
    return proxy;
  }

  /** The port clients connect to. */
  int port() {
    return server.getLocalPort();
  }

  /** Drops all connections and refuses new ones. */
  void cut() {
    cut.set(true);
    open.forEach(TcpProxy::closeQuietly);
    open.clear();
  }

  /** Lets connections through again. */
  void restore() {
    cut.set(false);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException closed) {
        return;
      }
      if (cut.get()) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(upstream);
        threads.execute(() -> pump(client, upstream));
        threads.execute(() -> pump(upstream, client));
      } catch (IOException refused) {
        closeQuietly(client);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException ended) {
      // one side closed or the proxy was cut; the other side is closed below
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  @Override
  public void close() {
    closeQuietly(server);
    cut();
    threads.shutdownNow();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // closing is best effort
    }
  }

  private static Thread daemon(Runnable runnable) {
    Thread thread = new Thread(runnable, "tcp-proxy");
    thread.setDaemon(true);
    return thread;
  }
}

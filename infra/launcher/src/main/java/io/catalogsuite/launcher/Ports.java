package io.catalogsuite.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** TCP ports on the loopback interface, chosen at run time so the suite never depends on a fixed free port. */
public final class Ports {
  private Ports() {
  }

  /** A port nothing listens on right now (the OS picks it). */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not find a free port", e);
    }
  }

  /** {@code count} different free ports, none of them in {@code exclude}. */
  public static List<Integer> free(int count, Collection<Integer> exclude) {
    Set<Integer> ports = new LinkedHashSet<>();
    // The OS rarely hands out the same port twice in a row, but it may; the set and the bound keep it honest.
    for (int attempt = 0; ports.size() < count && attempt < count * 10; attempt++) {
      int port = free();
      if (!exclude.contains(port)) {
        ports.add(port);
      }
    }
    if (ports.size() < count) {
      throw new IllegalStateException("Could not find " + count + " distinct free ports");
    }
    return List.copyOf(ports);
  }

  /** Whether a server could bind {@code port} on the loopback interface now. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}

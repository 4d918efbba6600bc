package io.catalogsuite.gateway.proxy;

import io.vertx.core.http.HttpClientOptions;

/** How the gateway's HTTP clients talk to instances, for ordinary requests and event streams alike. */
public final class UpstreamClients {
  /**
   * An idle upstream connection is dropped after 30 s: shorter than an instance's own keep-alive (75 s by default,
   * {@code HTTP_KEEPALIVE_TIMEOUT_MS}), so the gateway never sends a request on a connection the instance is
   * closing at that moment.
   */
  public static final int KEEP_ALIVE_SECONDS = 30;

  private UpstreamClients() {
  }

  public static HttpClientOptions options(int connectTimeoutMs) {
    return new HttpClientOptions()
        .setConnectTimeout(connectTimeoutMs)
        .setKeepAlive(true)
        .setKeepAliveTimeout(KEEP_ALIVE_SECONDS);
  }
}

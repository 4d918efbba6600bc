package io.catalogsuite.gateway.proxy;

import io.catalogsuite.gateway.GatewayConfig;
import io.catalogsuite.gateway.discovery.Upstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Long-lived event streams, kept apart from ordinary requests. A stream (a {@code GET} of one of
 * {@code GATEWAY_EVENT_STREAM_PATHS}, or one that accepts {@code text/event-stream}, as every EventSource
 * sends) holds an upstream connection for as long as it is open;
 * in the ordinary pool a few hundred idle ones would leave no connection for anything else. So streams get a pool
 * of their own, one for the whole gateway, of {@code GATEWAY_EVENT_STREAMS_PER_INSTANCE} connections per instance,
 * and one client (its principal, else its address) holds at most {@code GATEWAY_EVENT_STREAMS_PER_CLIENT} at
 * once. A stream beyond either limit is refused at once (503 with {@code Retry-After}, or 429), never queued.
 *
 * <p>The per-client counts are the one place where the request path may take a lock:
 * {@link ConcurrentHashMap#compute}'s, on one bin, when a stream opens or closes; never for an ordinary request.
 */
public final class EventStreams {
  private final HttpClient client;
  private final int perClient;
  private final Set<String> paths;
  private final Map<String, Integer> openByClient = new ConcurrentHashMap<>();

  public EventStreams(Vertx vertx, GatewayConfig config) {
    this.client = vertx.createHttpClient(
        UpstreamClients.options(config.connectTimeoutMs()),
        // No wait queue: a stream that finds every connection to its instance taken is refused, not parked.
        new PoolOptions().setHttp1MaxSize(config.streams().perInstance()).setMaxWaitQueueSize(0));
    this.perClient = config.streams().perClient();
    this.paths = config.streams().paths();
  }

  /** Whether the request is for an event stream: a {@code GET} of a stream path, or accepting text/event-stream. */
  boolean requested(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.method() != HttpMethod.GET) {
      return false;
    }
    String accept = request.getHeader(HttpHeaders.ACCEPT);
    return paths.contains(ctx.normalizedPath())
        || accept != null && accept.toLowerCase(Locale.ROOT).contains("text/event-stream");
  }

  /** The pool streams go through. */
  HttpClient client() {
    return client;
  }

  /** Counts a stream of {@code client} as open; false (and nothing counted) when it already holds its share. */
  boolean tryOpen(String client) {
    boolean[] admitted = {false};
    openByClient.compute(client, (key, open) -> {
      int count = open == null ? 0 : open;
      admitted[0] = count < perClient;
      return admitted[0] ? count + 1 : open;
    });
    return admitted[0];
  }

  /** A stream {@link #tryOpen} admitted has ended. */
  void closed(String client) {
    openByClient.computeIfPresent(client, (key, open) -> open > 1 ? open - 1 : null);
  }

  int perClient() {
    return perClient;
  }

  /** Closes the streams' pool (its Vert.x context is the node's, not a server's: nothing else closes it). */
  public Future<Void> close() {
    return client.close();
  }

  /** Every connection of the streams' pool to the instance is taken. The gateway's limit, no fault of the instance. */
  static final class Full extends RuntimeException {
    Full(Upstream upstream) {
      super("every event-stream connection to " + upstream.service() + " instance " + upstream.instanceId()
          + " is taken", null, false, false);
    }
  }
}

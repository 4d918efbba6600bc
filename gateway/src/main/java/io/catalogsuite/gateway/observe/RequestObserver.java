package io.catalogsuite.gateway.observe;

import io.catalogsuite.common.tracing.Tracing;
import io.catalogsuite.gateway.observe.GatewayMetrics.RouteMeters;
import io.catalogsuite.gateway.protect.Principal;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * The first handler of every request: gives it its id ({@link RequestIds}), and when it has ended, records it
 * once: in its route's {@code gateway.requests} timer and as an access log line. A route's handlers say which
 * route took the request ({@link #route}) and the proxy which instance served it ({@link #upstream}); a request
 * no route took is one of the gateway's own endpoints, or {@value GatewayMetrics#UNMATCHED}. With tracing, the
 * line carries the id of the request's trace (Vert.x started its span before this handler runs).
 */
public final class RequestObserver implements Handler<RoutingContext> {
  private static final String ROUTE = RouteMeters.class.getName();
  private static final String UPSTREAM = "upstream";

  private final AccessLog accessLog;
  /** The gateway's own endpoints that no route table entry marks ({@code /health}, ...), by path. */
  private final Map<String, RouteMeters> ownEndpoints;
  private final RouteMeters unmatched;
  /** Whether the node traces: else there is no trace id to look up, and none is. */
  private final boolean tracing;

  public RequestObserver(AccessLog accessLog, Map<String, RouteMeters> ownEndpoints, RouteMeters unmatched,
      boolean tracing) {
    this.accessLog = accessLog;
    this.ownEndpoints = Map.copyOf(ownEndpoints);
    this.unmatched = unmatched;
    this.tracing = tracing;
  }

  /** Marks the request as taken by the route these meters count. */
  public static void route(RoutingContext ctx, RouteMeters route) {
    ctx.put(ROUTE, route);
  }

  /** Marks the instance the request was sent to (the last one, after retries). */
  public static void upstream(RoutingContext ctx, String instanceId) {
    ctx.put(UPSTREAM, instanceId);
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    String requestId = RequestIds.assign(ctx);
    // Here, on the request's own context: an end handler may run where the request's span is no longer current.
    String traceId = tracing ? Tracing.currentTraceId() : null;
    // Added first, so it runs last: after the end handlers that still set the status (see StreamedUpload).
    ctx.addEndHandler(ended -> ended(ctx, requestId, traceId, System.nanoTime() - start));
    ctx.next();
  }

  private void ended(RoutingContext ctx, String requestId, String traceId, long nanos) {
    HttpServerRequest request = ctx.request();
    RouteMeters route = ctx.get(ROUTE);
    if (route == null) {
      route = ownEndpoints.getOrDefault(request.path(), unmatched);
    }
    String upstream = ctx.get(UPSTREAM);
    String method = request.method().name();
    int status = ctx.response().getStatusCode();
    route.record(upstream == null ? GatewayMetrics.NO_UPSTREAM : upstream, method, status, nanos);
    if (accessLog.enabled()) {
      SocketAddress client = request.remoteAddress();
      accessLog.add(new AccessLog.Entry(System.currentTimeMillis(), requestId, traceId, method, request.path(),
          route.route(), Principal.of(ctx).map(Principal::id).orElse(null), upstream, status, nanos,
          ctx.response().bytesWritten(), client == null ? null : client.hostAddress()));
    }
  }
}

package io.catalogsuite.gateway.dashboard;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /admin/dashboard/stream}: the dashboard's server-sent events, one a second from the
 * {@link DashboardSampler}, for as long as the client keeps the connection.
 */
public final class DashboardStream implements Handler<RoutingContext> {
  private final DashboardSampler sampler;

  public DashboardStream(DashboardSampler sampler) {
    this.sampler = sampler;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerResponse response = ctx.response()
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-store");
    DashboardSampler.Stream stream = sampler.open(response, ctx.vertx().getOrCreateContext());
    ctx.addEndHandler(ended -> sampler.close(stream));
    // A stream never ends by itself: when the gateway stops, its connection is closed at once instead of holding
    // the stop for the whole grace period (the page reconnects).
    HttpConnection connection = ctx.request().connection();
    connection.shutdownHandler(v -> connection.close());
  }
}

package io.catalogsuite.gateway.observe;

import io.catalogsuite.gateway.protect.Principal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the {@code access} logger. The event loop only builds the line and hands it to
 * logback's asynchronous appender (see logback.xml), which writes it on its own thread and drops lines rather
 * than block when its queue is full.
 */
public final class AccessLog {
  /** Where the proxy records which instance served the request (the last one tried). */
  public static final String UPSTREAM = "upstream";
  /** Where the proxy records the route prefix the request matched. */
  public static final String ROUTE = "route";
  private static final Logger log = LoggerFactory.getLogger("access");

  private AccessLog() {
  }

  public static void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(ended -> {
      if (log.isInfoEnabled()) {
        log.info(new JsonObject()
            .put("time", Instant.now().toString())
            .put("requestId", RequestIds.of(ctx))
            .put("method", ctx.request().method().name())
            .put("path", ctx.request().path())
            .put("route", ctx.get(ROUTE))
            .put("principal", Principal.of(ctx).map(Principal::id).orElse(null))
            .put("upstream", ctx.get(UPSTREAM))
            .put("status", ctx.response().getStatusCode())
            .put("latencyMs", (System.nanoTime() - start) / 1_000_000.0)
            .put("bytes", ctx.response().bytesWritten())
            .put("client", ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress())
            .encode());
      }
    });
    ctx.next();
  }
}

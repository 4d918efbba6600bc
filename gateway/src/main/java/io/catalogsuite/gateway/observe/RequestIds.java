package io.catalogsuite.gateway.observe;

import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * Gives every request an id: the client's {@code X-Request-Id} when it sends a sane one, else a new UUID. It is
 * echoed on the response, forwarded upstream and written in the access log, so one id follows a request
 * through every process it touches.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  private static final String KEY = "requestId";
  private static final int MAX_LENGTH = 128;

  private RequestIds() {
  }

  public static void handle(RoutingContext ctx) {
    String id = ctx.request().getHeader(HEADER);
    if (id == null || id.isBlank() || id.length() > MAX_LENGTH) {
      id = UUID.randomUUID().toString();
    }
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  public static String of(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}

package io.catalogsuite.common.http;

import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * The gateway's route prefix ({@code X-Forwarded-Prefix}, e.g. {@code /api/catalog}), so that a {@code Location}
 * a service sends points back through the gateway.
 */
public final class ForwardedPrefix {
  private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9._~-]+)+");

  private ForwardedPrefix() {
  }

  /** The prefix, or "" when there is none or it is not a plain path (it is never trusted beyond that). */
  public static String of(RoutingContext ctx) {
    String prefix = ctx.request().getHeader("X-Forwarded-Prefix");
    return prefix != null && PREFIX.matcher(prefix).matches() ? prefix : "";
  }
}

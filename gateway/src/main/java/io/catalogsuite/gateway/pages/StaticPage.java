package io.catalogsuite.gateway.pages;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * A page the gateway serves from its jar, with its files, all under one Content-Security-Policy: the dashboard's
 * and the API docs'. No directory listings; nothing is sniffed or sent as a referrer.
 *
 * @param policy the page's Content-Security-Policy
 * @param html   the page, a resource of the gateway's jar
 */
public record StaticPage(String policy, String html) {

  /** The page itself, never cached: a new gateway may serve a new version. */
  public void page(RoutingContext ctx) {
    secured(ctx.response()).putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-cache").sendFile(html);
  }

  /** The files under {@code root} (a resource directory of the jar or of a WebJar), under the page's policy. */
  public Handler<RoutingContext> files(String root) {
    StaticHandler handler = StaticHandler.create(root).setDirectoryListing(false);
    return ctx -> {
      secured(ctx.response());
      handler.handle(ctx);
    };
  }

  private HttpServerResponse secured(HttpServerResponse response) {
    return response.putHeader("Content-Security-Policy", policy).putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
  }
}

package io.catalogsuite.gateway.dashboard;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The dashboard's page ({@value #PATH}) and its static files, from the gateway's jar: the page, its script and
 * style, and uPlot from its WebJar. None of them holds data, so they load without a credential; the page asks for
 * the admin credential, keeps it for the tab only, and sends it in a header with its request for the
 * {@value #STREAM} (authenticated like all of {@code /admin}).
 */
public final class DashboardPage {
  public static final String PATH = "/admin/dashboard";
  public static final String ASSETS = PATH + "/assets/*";
  public static final String CHARTS = PATH + "/uplot/*";
  public static final String STREAM = PATH + "/stream";
  /** Scripts and styles from the gateway only: an injected script could read the credential. */
  private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
      + " connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  /** uPlot's files in its WebJar: the version is the one gateway/pom.xml depends on. */
  private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist";

  private DashboardPage() {
  }

  /** {@code GET /admin/dashboard}: the page. */
  public static void page(RoutingContext ctx) {
    secured(ctx.response()).putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-cache").sendFile("dashboard/index.html");
  }

  /** The page's script and style. */
  public static Handler<RoutingContext> assets() {
    return files(StaticHandler.create("dashboard"));
  }

  /** uPlot, from its WebJar. */
  public static Handler<RoutingContext> charts() {
    return files(StaticHandler.create(UPLOT));
  }

  private static Handler<RoutingContext> files(StaticHandler files) {
    StaticHandler handler = files.setDirectoryListing(false);
    return ctx -> {
      secured(ctx.response());
      handler.handle(ctx);
    };
  }

  private static HttpServerResponse secured(HttpServerResponse response) {
    return response.putHeader("Content-Security-Policy", POLICY).putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
  }
}
